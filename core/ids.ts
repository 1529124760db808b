import { randomBytes } from 'node:crypto';

/** A prefixed id that sorts by creation time: `site_` + 9 chars of time + 12 random. */
export function newId(prefix: string): string {
  const time = Date.now().toString(36).padStart(9, '0');
  const rand = randomBytes(9).toString('base64url').replace(/[-_]/g, '0').slice(0, 12).toLowerCase();
  return `${prefix}_${time}${rand}`;
}
