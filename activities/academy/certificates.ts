import type { Knex } from 'knex';
import type { CertificateRef } from '../../types/academy-enrollment';
import { renderCertificatePdf } from './certificate-pdf';

/** A mail with attachments, as the platform's mailer sends it (core/mail.ts). */
export interface CertificateMail {
  to: string;
  subject: string;
  text: string;
  attachments: { filename: string; content: Buffer; contentType: string }[];
}

/**
 * The steps of issuing a certificate that touch the outside world: its PDF rendered and stored
 * (in the row, so every API process serves it) and the mail to the learner. Each is idempotent:
 * a stored PDF is not made again, a mailed certificate is not mailed again. (A worker that dies
 * between the SMTP server's acceptance and the row's `mailed_at` mails once more on retry: at
 * least once, never never.)
 */
export function createCertificateActivities(deps: {
  db: Knex;
  send: (mail: CertificateMail) => Promise<void>;
  /** academy's public base URL (PUBLIC_URL + its mount), for the links in the PDF and the mail. */
  baseUrl: string;
}) {
  const { db } = deps;
  const verifyUrl = (code: string) => `${deps.baseUrl}/api/v1/certificates/verify/${code}`;
  const row = (certificateId: number) =>
    db('academy.certificates as c')
      .join('academy.users as u', 'u.id', 'c.user_id')
      .where('c.id', certificateId)
      .first(
        'c.id',
        'c.user_id',
        'c.number',
        'c.verification_code',
        'c.learner_name',
        'c.program_title',
        'c.issued_at',
        'c.mailed_at',
        db.raw('c.pdf is not null as has_pdf'),
        'u.email',
      );

  return {
    /** Renders the PDF and stores it on the certificate, unless it is there already. */
    async storeCertificatePdf({ certificateId }: CertificateRef): Promise<void> {
      const c = await row(certificateId);
      if (!c) throw new Error(`certificate ${certificateId} is gone`);
      if (c.has_pdf) return;
      const pdf = await renderCertificatePdf({
        learnerName: c.learner_name,
        programTitle: c.program_title,
        issuedAt: new Date(c.issued_at),
        number: c.number,
        verificationCode: c.verification_code,
        verifyUrl: verifyUrl(c.verification_code),
      });
      await db('academy.certificates')
        .where({ id: certificateId })
        .whereNull('pdf')
        .update({ pdf, updated_at: db.fn.now() });
    },

    /** Mails the learner the certificate (PDF attached, with its download and verification links). */
    async mailCertificate({ certificateId }: CertificateRef): Promise<void> {
      const c = await row(certificateId);
      if (!c) throw new Error(`certificate ${certificateId} is gone`);
      if (c.mailed_at) return;
      const { pdf } = await db('academy.certificates').where({ id: certificateId }).first('pdf');
      await deps.send({
        to: c.email,
        subject: `Your certificate: ${c.program_title}`,
        text: [
          `Hello ${c.learner_name},`,
          '',
          `Congratulations on completing ${c.program_title}. Your certificate is attached.`,
          '',
          `Certificate number: ${c.number}`,
          `Verification code: ${c.verification_code}`,
          `Download: ${deps.baseUrl}/api/v1/users/${c.user_id}/certificates/${c.id}/download`,
          `Anyone can verify it at ${verifyUrl(c.verification_code)}`,
        ].join('\n'),
        attachments: [{ filename: `${c.number}.pdf`, content: pdf, contentType: 'application/pdf' }],
      });
      await db('academy.certificates')
        .where({ id: certificateId })
        .update({ mailed_at: db.fn.now(), updated_at: db.fn.now() });
    },
  };
}
export type CertificateActivities = ReturnType<typeof createCertificateActivities>;
