import { z } from 'zod';
import { type ProductSettings, seconds } from '../../../core/settings';

/**
 * academy's enrollment settings beyond those in ./config.ts (ACADEMY_PAYMENT_DUE_SECONDS and the
 * callback secrets are there; the secrets default to billing's XENDIT_CALLBACK_TOKEN and
 * MIDTRANS_SERVER_KEY, one merchant account: read them through callbackSecrets()).
 */
export const academyEnrollmentSettings = z.object({
  /** The leading digits of every virtual account number (the bank's merchant prefix); 13 digits in all. */
  ACADEMY_VA_PREFIX: z
    .string()
    .regex(/^\d{2,8}$/, 'must be 2 to 8 digits')
    .default('8808'),
  /** How often a waiting enrollment workflow reads its rows, healing a signal lost while Temporal was away. */
  ACADEMY_ENROLLMENT_RECHECK_SECONDS: seconds.default(3600),
}) satisfies ProductSettings;

export type AcademyEnrollmentSettings = z.output<typeof academyEnrollmentSettings>;

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
