import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface Mail {
  to: string;
  text: string;
}

/**
 * A real SMTP server on this machine that keeps every mail it is given, for tests that read what
 * a product sends (reset links, checkout pages). `url` is what BILLING_SMTP_URL takes.
 */
export function createMailbox() {
  const mails: Mail[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address).join(','),
          text: Buffer.concat(chunks).toString('utf8'),
        });
        done();
      });
    },
  });
  return {
    mails,
    async start(): Promise<string> {
      await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
      return `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    },
    close: () => new Promise<void>((resolve) => smtp.close(() => resolve())),
  };
}
