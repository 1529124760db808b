import { z } from 'zod';
import { Invalid } from '../../core/errors';

/**
 * Parses a value with a zod schema, turning the first issue into `field: reason`. Two rules then
 * hold for every input, body, query and path alike: no NUL character in a string or key (Postgres
 * cannot store one in text or jsonb: the statement would fail as a 500), and no nesting deeper
 * than MAX_DEPTH in what a schema lets through untyped (Postgres and JSON.stringify recurse on it).
 */
export function parse<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: 'body' | 'query' | 'path',
): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw invalid(result.error.issues[0], value, where);
  const unfit = unfitAt(result.data);
  if (unfit) {
    const field = unfit.path.join('.');
    throw field
      ? new Invalid(`${field}: ${unfit.reason}`, field)
      : new Invalid(`${whole(where)}: ${unfit.reason}`);
  }
  return result.data;
}

const whole = (where: 'body' | 'query' | 'path') => (where === 'body' ? 'request body' : where);

function invalid(issue: z.core.$ZodIssue, value: unknown, where: 'body' | 'query' | 'path'): Invalid {
  if (issue.code === 'unrecognized_keys') {
    const field = [...issue.path, issue.keys[0]].join('.');
    return new Invalid(`${field}: unknown field`, field);
  }
  const field = issue.path.join('.');
  if (!field) return new Invalid(`${whole(where)}: ${issue.message}`);
  // zod does not report the input it rejected, so look the field up: only an absent one is "required".
  const missing = issue.code === 'invalid_type' && at(value, issue.path) === undefined;
  return new Invalid(`${field}: ${missing ? 'is required' : issue.message}`, field);
}

/** How deep any input may nest (objects and arrays), far beyond what any route takes. */
export const MAX_DEPTH = 32;

const NUL = 'must not contain NUL (\\u0000) characters';

/** The first string or key with a NUL, or value nested too deep, in document order (iterative: any depth). */
function unfitAt(value: unknown): { path: string[]; reason: string } | undefined {
  const stack: { v: unknown; path: string[] }[] = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop() as { v: unknown; path: string[] };
    if (typeof v === 'string') {
      if (v.includes('\0')) return { path, reason: NUL };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= MAX_DEPTH) return { path, reason: `must not nest deeper than ${MAX_DEPTH} levels` };
    const entries = Object.entries(v);
    for (const [key] of entries)
      if (key.includes('\0')) return { path: [...path, key.replaceAll('\0', '\\u0000')], reason: NUL };
    for (let i = entries.length - 1; i >= 0; i--)
      stack.push({ v: entries[i][1], path: [...path, entries[i][0]] });
  }
  return undefined;
}

function at(value: unknown, path: PropertyKey[]): unknown {
  let v = value;
  for (const key of path)
    v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}
