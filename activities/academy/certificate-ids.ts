import { randomInt } from 'node:crypto';
import type { Knex } from 'knex';

// Crockford's base-32 alphabet: no I, L, O or U, so a code read aloud or typed from paper is not misread.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A verification code of 60 random bits, `XXXX-XXXX-XXXX`: printed on the certificate, checked by anyone. */
export function newVerificationCode(): string {
  const chars = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return [0, 4, 8].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

/** `ACAD-<year>-<id, 6 digits>`: unique because the id is, readable on paper. */
export const certificateNumber = (id: number, issuedAt: Date) =>
  `ACAD-${issuedAt.getUTCFullYear()}-${String(id).padStart(6, '0')}`;

export interface NewCertificate {
  userId: number;
  programId: number | null;
  enrollmentId: number | null;
  learnerName: string;
  programTitle: string;
}

/**
 * Inserts a certificate with its number and verification code, in the caller's transaction. The id
 * is drawn first so the number can carry it. An enrollment's second one is refused by the unique
 * index on enrollment_id (the caller decides what that means).
 */
export async function insertCertificate(trx: Knex.Transaction, c: NewCertificate): Promise<number> {
  const { rows } = await trx.raw(
    `select nextval(pg_get_serial_sequence('academy.certificates', 'id'))::int as id`,
  );
  const id: number = rows[0].id;
  const issuedAt = new Date();
  await trx('academy.certificates').insert({
    id,
    user_id: c.userId,
    program_id: c.programId,
    enrollment_id: c.enrollmentId,
    number: certificateNumber(id, issuedAt),
    verification_code: newVerificationCode(),
    learner_name: c.learnerName,
    program_title: c.programTitle,
    issued_at: issuedAt,
  });
  return id;
}
