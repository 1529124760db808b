import argon2 from 'argon2';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createSemaphore } from './semaphore';

/**
 * argon2 runs on libuv's thread pool (4 threads by default), which file reads and DNS lookups share:
 * a burst of logins would fill it and stall every other route. So only a few hashes run at once
 * (PASSWORD_HASH_CONCURRENCY); a password check finding PASSWORD_HASH_QUEUE others already waiting
 * is refused (429, retry in 1 s) rather than queued without bound. Process-wide, like the pool.
 */
const hashing = createSemaphore(
  { concurrency: 2, queue: 64 },
  'the server is busy checking passwords; try again in 1 s',
);
export const limitPasswordHashing = (limits: { concurrency: number; queue: number }) =>
  hashing.configure(limits);

/** argon2id with the library's defaults (64 MiB, t=3); waits its turn, never refused. */
export const hashPassword = (password: string) =>
  hashing.run(() => argon2.hash(password, { type: argon2.argon2id }), { alwaysWait: true });
/** False for a wrong password or a malformed hash; throws 429 when too many checks already wait. */
export const verifyPassword = (hash: string, password: string) =>
  hashing.run(() => argon2.verify(hash, password).catch(() => false));

/** A bearer token: shown once, stored only as its SHA-256. */
export function newToken(prefix: string): { token: string; hash: string } {
  const token = `${prefix}_${randomBytes(32).toString('base64url')}`;
  return { token, hash: sha256(token) };
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A password a person can type once from a log line: 20 chars of base64url. */
export const generatePassword = () => randomBytes(15).toString('base64url');

/**
 * Minimum strength: 12+ characters with at least three of lower, upper, digit, symbol,
 * and not just the username. Returns the reason it is weak, or null.
 */
export function passwordWeakness(password: string, username?: string): string | null {
  if (password.length < 12) return 'must be at least 12 characters';
  if (password.length > 256) return 'must be at most 256 characters';
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length;
  if (classes < 3) return 'must mix at least three of: lowercase, uppercase, digits, symbols';
  if (username && password.toLowerCase().includes(username.toLowerCase()))
    return 'must not contain the username';
  return null;
}
