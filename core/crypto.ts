import argon2 from 'argon2';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** argon2id with the library's defaults (64 MiB, t=3). */
export const hashPassword = (password: string) => argon2.hash(password, { type: argon2.argon2id });
export const verifyPassword = (hash: string, password: string) => argon2.verify(hash, password).catch(() => false);

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
  if (username && password.toLowerCase().includes(username.toLowerCase())) return 'must not contain the username';
  return null;
}
