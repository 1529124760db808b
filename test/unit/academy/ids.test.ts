import { Id, isId } from '../../../api/products/academy/schemas/common';

describe("academy's integer ids in paths", () => {
  it.each(['1', '42', '2147483647', '007'])('takes %s', (value) => {
    expect(Id.parse(value)).toBe(Number(value));
    expect(isId(value)).toBe(true);
  });

  it.each([
    ['abc', 'must be a positive whole number'],
    ['1.5', 'must be a positive whole number'],
    ['-1', 'must be a positive whole number'],
    ['0', 'must be a positive whole number'],
    ['', 'must be a positive whole number'],
    ['2147483648', 'must be at most 2147483647'],
    ['99999999999', 'must be a positive whole number'],
  ])('refuses %j: %s', (value, message) => {
    const result = Id.safeParse(value);
    expect(result.success ? null : result.error.issues[0].message).toBe(message);
    expect(isId(value)).toBe(false);
  });
});
