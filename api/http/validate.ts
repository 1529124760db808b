import { z } from 'zod';
import { Invalid } from '../../core/errors';

/** Parses a value with a zod schema, turning the first issue into `field: reason`. */
export function parse<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'path'): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const field = [...issue.path, issue.keys[0]].join('.');
    throw new Invalid(`${field}: unknown field`, field);
  }
  const field = issue.path.join('.');
  if (!field) throw new Invalid(`${where === 'body' ? 'request body' : where}: ${issue.message}`);
  // zod does not report the input it rejected, so look the field up: only an absent one is "required".
  const missing = issue.code === 'invalid_type' && at(value, issue.path) === undefined;
  throw new Invalid(`${field}: ${missing ? 'is required' : issue.message}`, field);
}

function at(value: unknown, path: PropertyKey[]): unknown {
  let v = value;
  for (const key of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[key] : undefined;
  return v;
}
