import { z } from 'zod';
import { type ProductSettings, seconds } from '../../../core/settings';

/** academy's settings (ACADEMY_*). */
export const academySettings = z.object({
  /** How long an access token lives; logout and a password reset end it sooner. */
  ACADEMY_TOKEN_TTL_SECONDS: seconds.default(86400),
  ACADEMY_LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  /** Failed logins per IP across all accounts in the window (each account has the limit above). */
  ACADEMY_LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().positive().default(20),
  ACADEMY_LOGIN_WINDOW_SECONDS: seconds.default(300),
  /** The first academy admin, created on a fresh database (a generated password is printed once). */
  ACADEMY_ADMIN_EMAIL: z.string().email().default('admin@academy.local'),
  ACADEMY_BOOTSTRAP_PASSWORD: z.string().min(12).optional(),
  /** academy's mail (reset links, certificates): SMTP server; unset writes .eml files into ACADEMY_MAIL_DIR. */
  ACADEMY_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/\S+$/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  ACADEMY_MAIL_DIR: z.string().default('.data/mail/academy'),
  ACADEMY_MAIL_FROM: z.string().default('Dermaga Academy <academy@localhost>'),
  /** The page that takes the reset token (`?token=` is appended) and how long a token lives. */
  ACADEMY_RESET_URL: z.string().url().default('http://localhost:3000/academy/reset-password'),
  ACADEMY_RESET_TTL_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
  /** Reset links one address may be sent per hour (unknown addresses count alike); more answer 429. */
  ACADEMY_RESET_MAILS_PER_HOUR: z.coerce.number().int().min(1).max(1000).default(3),
  /** How long after enrolling the invoice may be paid (default 3 days). */
  ACADEMY_PAYMENT_DUE_SECONDS: seconds.default(3 * 86400),
  /** Payment callbacks' secrets; unset: billing's (one merchant account). */
  ACADEMY_XENDIT_CALLBACK_TOKEN: z.string().min(1).optional(),
  ACADEMY_MIDTRANS_SERVER_KEY: z.string().min(1).optional(),
  /** The leading digits of every virtual account number (the bank's merchant prefix); 13 digits in all. */
  ACADEMY_VA_PREFIX: z
    .string()
    .regex(/^\d{2,8}$/, 'must be 2 to 8 digits')
    .default('8808'),
  /** How often a waiting enrollment workflow reads its rows, healing a signal lost while Temporal was away. */
  ACADEMY_ENROLLMENT_RECHECK_SECONDS: seconds.default(3600),
}) satisfies ProductSettings;

export type AcademySettings = z.output<typeof academySettings>;

/** The secrets academy's callbacks verify with: its own, else billing's (one merchant account). */
export const callbackSecrets = (c: {
  ACADEMY_XENDIT_CALLBACK_TOKEN?: string;
  ACADEMY_MIDTRANS_SERVER_KEY?: string;
  XENDIT_CALLBACK_TOKEN?: string;
  MIDTRANS_SERVER_KEY?: string;
}) => ({
  xendit: c.ACADEMY_XENDIT_CALLBACK_TOKEN ?? c.XENDIT_CALLBACK_TOKEN,
  midtrans: c.ACADEMY_MIDTRANS_SERVER_KEY ?? c.MIDTRANS_SERVER_KEY,
});
