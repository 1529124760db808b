import type { Config } from '../../../core/config';
import { createMailer as createCoreMailer } from '../../../core/mail';

export type { Mail, Mailer } from '../../../core/mail';

/** billing's mail: BILLING_SMTP_URL, or .eml files in BILLING_MAIL_DIR (core/mail.ts). */
export const createMailer = (config: Config) =>
  createCoreMailer({
    smtpUrl: config.BILLING_SMTP_URL,
    dir: config.BILLING_MAIL_DIR,
    rootDir: config.rootDir,
    from: config.BILLING_MAIL_FROM,
  });
