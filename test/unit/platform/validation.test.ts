import { z } from 'zod';
import { MAX_DEPTH, parse } from '../../../api/http/validate';
import { COLUMN_MAX, wholeNumber, wholeNumberParam } from '../../../api/http/whole-number';
import { Invalid } from '../../../core/errors';

/** The 400 `parse` throws for a value, as status, message and field. */
function refusal(schema: z.ZodType, value: unknown, where: 'body' | 'query' | 'path' = 'body') {
  try {
    parse(schema, value, where);
  } catch (err) {
    expect(err).toBeInstanceOf(Invalid);
    const e = err as Invalid;
    return { status: e.status, message: e.message, field: e.field };
  }
  throw new Error('parse accepted the value');
}

const nested = (levels: number): unknown => (levels === 0 ? 1 : { a: nested(levels - 1) });

describe('parse (every input of every route)', () => {
  const body = z
    .object({ name: z.string(), size: z.number().int(), meta: z.record(z.string(), z.unknown()).optional() })
    .strict();

  it('answers the parsed value', () => {
    expect(parse(body, { name: 'a', size: 1 }, 'body')).toEqual({ name: 'a', size: 1 });
  });

  it('says "is required" only for an absent field, and zod\'s reason for a wrong one', () => {
    expect(refusal(body, { size: 1 })).toEqual({ status: 400, message: 'name: is required', field: 'name' });
    expect(refusal(body, { name: 7, size: 1 })).toMatchObject({
      message: expect.stringMatching(/^name: (?!is required)/),
      field: 'name',
    });
  });

  it('names an unknown field', () => {
    expect(refusal(body, { name: 'a', size: 1, colour: 'red' })).toMatchObject({
      message: 'colour: unknown field',
      field: 'colour',
    });
  });

  it('names the whole input when the input itself is wrong', () => {
    expect(refusal(body, 'text')).toMatchObject({ message: expect.stringMatching(/^request body: /) });
    expect(refusal(z.object({ id: z.string() }), [], 'query')).toMatchObject({
      message: expect.stringMatching(/^query: /),
    });
  });

  it('refuses a NUL in a string or a key, naming where it is', () => {
    expect(refusal(body, { name: 'a\0b', size: 1 })).toMatchObject({
      message: 'name: must not contain NUL (\\u0000) characters',
      field: 'name',
    });
    expect(refusal(body, { name: 'a', size: 1, meta: { ['k\0']: 1 } })).toMatchObject({
      message: 'meta.k\\u0000: must not contain NUL (\\u0000) characters',
    });
  });

  it(`refuses untyped input nested deeper than ${MAX_DEPTH} levels, at any depth without recursing`, () => {
    expect(parse(body, { name: 'a', size: 1, meta: { x: nested(MAX_DEPTH - 2) } }, 'body')).toBeDefined();
    expect(refusal(body, { name: 'a', size: 1, meta: { x: nested(MAX_DEPTH) } }).message).toMatch(
      new RegExp(`^meta\\.x(\\.a)+: must not nest deeper than ${MAX_DEPTH} levels$`),
    );
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(refusal(z.unknown(), deep).message).toMatch(/must not nest deeper than/);
  });
});

describe('whole numbers bounded by their column', () => {
  it("takes up to the column's largest value and names the bound past it", () => {
    const int = wholeNumber('integer', 'must be a whole number of cents');
    expect(int.parse(COLUMN_MAX.integer)).toBe(2_147_483_647);
    expect(int.safeParse(COLUMN_MAX.integer + 1).error?.issues[0].message).toBe('must be at most 2147483647');
    expect(int.safeParse(2 ** 60).error?.issues[0].message).toBe('must be at most 2147483647');
    expect(int.safeParse(1.5).error?.issues[0].message).toBe('must be a whole number of cents');
    expect(wholeNumber('bigint').safeParse(2 ** 53).error?.issues[0].message).toBe(
      `must be at most ${Number.MAX_SAFE_INTEGER}`,
    );
  });

  it('reads a query or path parameter as a number first', () => {
    const param = wholeNumberParam('integer');
    expect(param.parse('42')).toBe(42);
    expect(param.safeParse('3000000000').error?.issues[0].message).toBe('must be at most 2147483647');
  });
});
