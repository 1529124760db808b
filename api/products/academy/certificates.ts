import type { Knex } from 'knex';
import { insertCertificate } from '../../../activities/academy/certificate-ids';
import { renderCertificatePdf } from '../../../activities/academy/certificate-pdf';
import { AppError, Conflict, NotFound } from '../../../core/errors';
import { certificateView } from './enrollment-views';
import type { Page } from './enrollments';

const COLUMNS = [
  'id',
  'user_id',
  'program_id',
  'enrollment_id',
  'number',
  'verification_code',
  'learner_name',
  'program_title',
  'issued_at',
  'status',
] as const;

export interface NewCertificateBody {
  programId: number;
  enrollmentId?: number;
  learnerName?: string;
  programTitle?: string;
}
export interface CertificateChange {
  status?: 'Valid' | 'Revoked';
  learnerName?: string;
  programTitle?: string;
}

/**
 * Learners' certificates: the workflow issues one per completed enrollment; admins may issue one
 * by hand, correct the name or title on it (its PDF is made again), revoke it (it stays listed and
 * verifiable as Revoked) or delete it. Anyone holding a verification code may check it.
 */
export function createCertificateService(deps: { db: Knex; baseUrl: string }) {
  const { db, baseUrl } = deps;
  const select = (q: Knex.QueryBuilder) => q.select(...COLUMNS, db.raw('pdf is not null as has_pdf'));
  const view = (row: Parameters<typeof certificateView>[0]) => certificateView(row, baseUrl);

  async function detail(userId: number, certificateId: number) {
    const row = await select(
      db('academy.certificates').where({ id: certificateId, user_id: userId }),
    ).first();
    if (!row) throw new NotFound('certificate');
    return view(row);
  }

  /** Renders the PDF from the row as it is now and stores it (the API's own hand: admins' changes). */
  async function storePdf(trx: Knex.Transaction, certificateId: number) {
    const c = await trx('academy.certificates')
      .where({ id: certificateId })
      .first(...COLUMNS);
    const pdf = await renderCertificatePdf({
      learnerName: c.learner_name,
      programTitle: c.program_title,
      issuedAt: new Date(c.issued_at),
      number: c.number,
      verificationCode: c.verification_code,
      verifyUrl: `${baseUrl}/api/v1/certificates/verify/${c.verification_code}`,
    });
    await trx('academy.certificates').where({ id: certificateId }).update({ pdf, updated_at: trx.fn.now() });
  }

  return {
    detail,

    async list(userId: number, { page, limit }: Page, filter: { status?: string }) {
      const q = db('academy.certificates')
        .where({ user_id: userId })
        .modify((b) => void (filter.status && b.where({ status: filter.status })));
      const [{ n }] = await q.clone().count({ n: '*' });
      const rows = await select(
        q
          .orderBy('id')
          .limit(limit)
          .offset((page - 1) * limit),
      );
      return { certificates: rows.map(view), total: Number(n) };
    },

    /** The PDF (404 while it is being made). */
    async pdf(userId: number, certificateId: number) {
      const row = await db('academy.certificates')
        .where({ id: certificateId, user_id: userId })
        .first('number', 'pdf');
      if (!row) throw new NotFound('certificate');
      if (!row.pdf) throw new AppError('not_found', 404, 'the certificate PDF is still being made');
      return { number: row.number as string, body: row.pdf as Buffer };
    },

    /** An admin issues one by hand (for an enrollment of the user's, or for a program alone). */
    async create(userId: number, body: NewCertificateBody) {
      const id = await db.transaction(async (trx) => {
        const user = await trx('academy.users').where({ id: userId }).first('id', 'full_name');
        if (!user) throw new NotFound('user');
        const program = await trx('academy.programs').where({ id: body.programId }).first('id', 'title');
        if (!program) throw new AppError('not_found', 404, 'no such program', 'programId');
        if (body.enrollmentId !== undefined) {
          const e = await trx('academy.enrollments')
            .where({ id: body.enrollmentId, user_id: userId })
            .first('program_id');
          if (!e) throw new AppError('not_found', 404, 'no such enrollment of this user', 'enrollmentId');
          if (e.program_id !== body.programId)
            throw new AppError(
              'invalid_request',
              400,
              'the enrollment is in another program',
              'enrollmentId',
            );
          if (await trx('academy.certificates').where({ enrollment_id: body.enrollmentId }).first('id'))
            throw new Conflict('the enrollment already has a certificate', 'enrollmentId');
        }
        const certificateId = await insertCertificate(trx, {
          userId,
          programId: body.programId,
          enrollmentId: body.enrollmentId ?? null,
          learnerName: body.learnerName ?? user.full_name,
          programTitle: body.programTitle ?? program.title,
        });
        if (body.enrollmentId !== undefined)
          await trx('academy.enrollments')
            .where({ id: body.enrollmentId })
            .update({ certificate_id: certificateId, updated_at: trx.fn.now() });
        await storePdf(trx, certificateId);
        return certificateId;
      });
      return detail(userId, id);
    },

    async update(userId: number, certificateId: number, change: CertificateChange) {
      await db.transaction(async (trx) => {
        const c = await trx('academy.certificates')
          .where({ id: certificateId, user_id: userId })
          .forUpdate()
          .first('id');
        if (!c) throw new NotFound('certificate');
        await trx('academy.certificates')
          .where({ id: certificateId })
          .update({
            ...(change.status && { status: change.status }),
            ...(change.learnerName && { learner_name: change.learnerName }),
            ...(change.programTitle && { program_title: change.programTitle }),
            updated_at: trx.fn.now(),
          });
        if (change.learnerName || change.programTitle) await storePdf(trx, certificateId);
      });
      return detail(userId, certificateId);
    },

    async remove(userId: number, certificateId: number) {
      const deleted = await db('academy.certificates').where({ id: certificateId, user_id: userId }).delete();
      if (!deleted) throw new NotFound('certificate');
    },

    /** Public: what a verification code certifies (no email, no ids). */
    async verify(code: string) {
      const c = await db('academy.certificates')
        .where({ verification_code: code.toUpperCase() })
        .first('number', 'learner_name', 'program_title', 'issued_at', 'status');
      if (!c) throw new AppError('not_found', 404, 'no certificate has this verification code', 'code');
      return {
        certificateNumber: c.number,
        learnerName: c.learner_name,
        programTitle: c.program_title,
        issuedAt: new Date(c.issued_at).toISOString(),
        status: c.status,
        valid: c.status === 'Valid',
      };
    },
  };
}
export type CertificateService = ReturnType<typeof createCertificateService>;
