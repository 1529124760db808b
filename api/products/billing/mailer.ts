import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../../../core/config';
import { newId } from '../../../core/ids';

export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/**
 * Sends billing's mail through BILLING_SMTP_URL; without one (a development machine) each mail
 * is written whole as an .eml file into BILLING_MAIL_DIR (0700, files 0600), never to the log.
 */
export function createMailer(config: Config) {
  if (config.BILLING_SMTP_URL) {
    const transport = nodemailer.createTransport(config.BILLING_SMTP_URL);
    return async (mail: Mail) => {
      await transport.sendMail({ from: config.BILLING_MAIL_FROM, ...mail });
    };
  }
  const dir = path.resolve(config.rootDir, config.BILLING_MAIL_DIR);
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
  return async (mail: Mail) => {
    const { message } = await transport.sendMail({ from: config.BILLING_MAIL_FROM, ...mail });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(path.join(dir, `${newId('mail')}.eml`), message as Buffer, { mode: 0o600 });
  };
}
export type Mailer = ReturnType<typeof createMailer>;
