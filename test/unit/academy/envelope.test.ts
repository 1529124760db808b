import { Conflict, NotFound } from '../../../core/errors';
import { academyError, pagination } from '../../../api/products/academy/envelope';
import { containing } from '../../../api/products/academy/paging';

describe("academy's pagination object", () => {
  it.each([
    // page, limit, total, current → expected
    [1, 10, 40, 10, { totalPages: 4, nextPage: 2, prevPage: null }],
    [4, 10, 40, 10, { totalPages: 4, nextPage: null, prevPage: 3 }],
    [2, 10, 15, 5, { totalPages: 2, nextPage: null, prevPage: 1 }],
    [1, 10, 0, 0, { totalPages: 0, nextPage: null, prevPage: null }],
    // Past the end: no next page, the previous one is the last that exists.
    [9, 10, 15, 0, { totalPages: 2, nextPage: null, prevPage: 2 }],
  ])('page %i of %i-row pages over %i rows', (page, limit, total, current, expected) => {
    expect(pagination(page, limit, total, current)).toEqual({
      currentRecords: current,
      totalRecords: total,
      currentPage: page,
      ...expected,
    });
  });
});

describe("academy's error envelope", () => {
  it('names the field of a refusal about one field', () => {
    expect(academyError(new Conflict('email: is already registered', 'email'))).toEqual({
      success: false,
      statusCode: 409,
      message: 'email: is already registered',
      data: null,
      errors: [{ field: 'email', message: 'is already registered', code: 'conflict' }],
    });
  });

  it('says field null for a refusal about the request as a whole', () => {
    expect(academyError(new NotFound('user')).errors).toEqual([
      { field: null, message: 'user not found', code: 'not_found' },
    ]);
  });
});

describe('a search term', () => {
  it('matches anywhere with its LIKE wildcards taken literally', () => {
    expect(containing('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
});
