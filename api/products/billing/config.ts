import { z } from 'zod';
import { type ProductSettings, seconds } from '../../../core/settings';

/** billing's settings (BILLING_*, and the webhook secrets of the payment providers it receives). */
export const billingSettings = z.object({
  /** billing: customers' JWTs (HS256; derived from DERMAGA_SECRET_KEY when unset) and how long they live. */
  BILLING_JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  BILLING_TOKEN_TTL_SECONDS: seconds.default(3600),
  BILLING_LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  /** Failed logins per IP across all accounts in the window (each account has the limit above). */
  BILLING_LOGIN_MAX_FAILURES_PER_IP: z.coerce.number().int().positive().default(20),
  BILLING_LOGIN_WINDOW_SECONDS: seconds.default(300),
  /** The first billing admin, created on a fresh database (a generated password is printed once). */
  BILLING_ADMIN_EMAIL: z.string().email().default('admin@billing.local'),
  BILLING_BOOTSTRAP_PASSWORD: z.string().min(12).optional(),
  /** Password-reset mail: SMTP server (smtp://user:pass@host:port); unset writes each mail as an .eml file into BILLING_MAIL_DIR. */
  BILLING_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/\S+$/, 'must be an smtp:// or smtps:// URL')
    .optional(),
  BILLING_MAIL_DIR: z.string().default('.data/mail'),
  BILLING_MAIL_FROM: z.string().default('Dermaga Billing <billing@localhost>'),
  /** The page that takes the reset token (`?token=` is appended) and how long a token lives. */
  BILLING_RESET_URL: z.string().url().default('http://localhost:3000/reset-password'),
  BILLING_RESET_TTL_MINUTES: z.coerce.number().int().min(1).max(1440).default(60),
  /** The most events one batch-report may carry. */
  BILLING_BATCH_MAX_EVENTS: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** After a rotation the old key keeps working this long (0: it ends at once). */
  BILLING_KEY_ROTATION_OVERLAP_SECONDS: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * 86400)
    .default(0),
  /** Checkouts asked for without a token that one email may be mailed per hour (each supersedes the last). */
  BILLING_CHECKOUT_MAILS_PER_HOUR: z.coerce.number().int().min(1).max(1000).default(3),
  /** Origins (comma list) checkout's success_url and cancel_url must be on; unset: any http(s) URL. */
  BILLING_CHECKOUT_RETURN_ORIGINS: z
    .string()
    .optional()
    .transform((s, ctx) => {
      const list = (s ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean);
      if (list.some((o) => !/^https?:\/\/[^/?#]+\/?$/i.test(o))) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be a comma list of origins, e.g. https://app.example.com',
        });
        return z.NEVER;
      }
      return list.length ? list.map((o) => new URL(o).origin) : null;
    }),
  /** Webhook secrets: Stripe's endpoint signing secret, Xendit's callback token, Midtrans's server key. Unset: that webhook answers 503. */
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  XENDIT_CALLBACK_TOKEN: z.string().min(1).optional(),
  MIDTRANS_SERVER_KEY: z.string().min(1).optional(),
  /** Subscription periods: the plan's days unless this many seconds are set (short periods for tests and demos). */
  BILLING_PERIOD_SECONDS: z.coerce.number().int().positive().optional(),
  /** Dunning: waits (s) between failed charges, then what the subscription becomes. */
  BILLING_DUNNING_SCHEDULE: z
    .string()
    .regex(/^\d+(,\d+)*$/, 'must be a comma list of seconds, e.g. 86400,259200,432000')
    .default('86400,259200,432000')
    .transform((s) => s.split(',').map(Number)),
  BILLING_AFTER_DUNNING: z.enum(['canceled', 'unpaid']).default('canceled'),
  /** How long a charge's outcome (its webhook) is awaited, and how long checkout may take. */
  BILLING_PAYMENT_WAIT_SECONDS: seconds.default(86400),
  BILLING_CHECKOUT_TIMEOUT_SECONDS: seconds.default(86400),
}) satisfies ProductSettings;

export type BillingSettings = z.output<typeof billingSettings>;
