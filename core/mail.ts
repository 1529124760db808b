import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { newId } from './ids';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  /** Files sent along (a certificate's PDF). */
  attachments?: { filename: string; content: Buffer; contentType?: string }[];
}

export interface MailSettings {
  /** smtp://user:pass@host:port; unset writes each mail as an .eml file into `dir`. */
  smtpUrl?: string;
  /** Where .eml files go without SMTP, relative to `rootDir`. */
  dir: string;
  rootDir: string;
  from: string;
}

/**
 * Sends a product's mail through its SMTP server; without one (a development machine) each mail
 * is written whole as an .eml file into its mail directory (0700, files 0600), never to the log.
 * Each product passes its own settings (BILLING_SMTP_URL, ACADEMY_SMTP_URL, ...).
 */
export function createMailer(settings: MailSettings) {
  if (settings.smtpUrl) {
    const transport = nodemailer.createTransport(settings.smtpUrl);
    return async (mail: Mail) => {
      await transport.sendMail({ from: settings.from, ...mail });
    };
  }
  const dir = path.resolve(settings.rootDir, settings.dir);
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
  return async (mail: Mail) => {
    const { message } = await transport.sendMail({ from: settings.from, ...mail });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(path.join(dir, `${newId('mail')}.eml`), message as Buffer, { mode: 0o600 });
  };
}
export type Mailer = ReturnType<typeof createMailer>;
