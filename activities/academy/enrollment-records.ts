import type { Knex } from 'knex';
import type { CertificateRef, EnrollmentOutcome, EnrollmentPhase } from '../../types/academy-enrollment';
import { insertCertificate } from './certificate-ids';

/**
 * The enrollment workflow's bookkeeping (local activities, so quick and retried until the database
 * answers). Each write is conditional on the state it expects, so a retry, a late signal or a race
 * with the API changes nothing twice.
 */
export function createEnrollmentRecordActivities({ db }: { db: Knex }) {
  /** What the rows say: the enrollment's status, and for an Unpaid one whether its invoice is paid. */
  async function enrollmentPhase({ enrollmentId }: { enrollmentId: number }): Promise<EnrollmentPhase> {
    const row = await db('academy.enrollments as e')
      .join('academy.invoices as i', 'i.enrollment_id', 'e.id')
      .where('e.id', enrollmentId)
      .first('e.status', 'i.status as invoice_status');
    if (!row) return 'ended'; // deleted by an admin
    if (row.status === 'Completed') return 'completed';
    if (row.status === 'In Progress') return 'paid';
    if (row.status !== 'Unpaid') return 'ended';
    return row.invoice_status === 'Paid' ? 'paid' : row.invoice_status === 'Unpaid' ? 'unpaid' : 'ended';
  }

  return {
    enrollmentPhase,

    /** Due time passed: an invoice still Unpaid and its enrollment become Expired; a paid one stays paid. */
    async expireEnrollment({ enrollmentId }: { enrollmentId: number }): Promise<EnrollmentPhase> {
      await db.transaction(async (trx) => {
        const expired = await trx('academy.invoices')
          .where({ enrollment_id: enrollmentId, status: 'Unpaid' })
          .update({ status: 'Expired', updated_at: trx.fn.now() })
          .returning('id');
        if (expired.length)
          await trx('academy.enrollments')
            .where({ id: enrollmentId, status: 'Unpaid' })
            .update({ status: 'Expired', updated_at: trx.fn.now() });
      });
      return enrollmentPhase({ enrollmentId });
    },

    /** Paid: the enrollment opens (In Progress, its modules readable). */
    async activateEnrollment({ enrollmentId }: { enrollmentId: number }): Promise<EnrollmentPhase> {
      await db('academy.enrollments as e')
        .where('e.id', enrollmentId)
        .where('e.status', 'Unpaid')
        .whereExists(
          db('academy.invoices as i').where('i.enrollment_id', db.ref('e.id')).where('i.status', 'Paid'),
        )
        .update({
          status: 'In Progress',
          paid_at: db('academy.invoices').where({ enrollment_id: enrollmentId }).select('paid_at'),
          updated_at: db.fn.now(),
        });
      return enrollmentPhase({ enrollmentId });
    },

    /** How an ended enrollment ended (null: it was deleted). */
    async endedAs({ enrollmentId }: { enrollmentId: number }): Promise<EnrollmentOutcome | null> {
      const row = await db('academy.enrollments').where({ id: enrollmentId }).first('status');
      return row?.status === 'Expired' ? 'expired' : row ? 'cancelled' : null;
    },

    /**
     * The enrollment's certificate row (number, verification code, the learner's name and the
     * program's title as they are now), recorded on the enrollment; made once however often this runs.
     */
    async createCertificate({ enrollmentId }: { enrollmentId: number }): Promise<CertificateRef> {
      return db.transaction(async (trx) => {
        const e = await trx('academy.enrollments as e')
          .join('academy.users as u', 'u.id', 'e.user_id')
          .join('academy.programs as p', 'p.id', 'e.program_id')
          .where('e.id', enrollmentId)
          .forUpdate('e')
          .first('e.user_id', 'e.program_id', 'e.certificate_id', 'u.full_name', 'p.title');
        if (!e) throw new Error(`enrollment ${enrollmentId} is gone`);
        const existing = await trx('academy.certificates').where({ enrollment_id: enrollmentId }).first('id');
        const certificateId =
          existing?.id ??
          (await insertCertificate(trx, {
            userId: e.user_id,
            programId: e.program_id,
            enrollmentId,
            learnerName: e.full_name,
            programTitle: e.title,
          }));
        if (e.certificate_id !== certificateId)
          await trx('academy.enrollments')
            .where({ id: enrollmentId })
            .update({ certificate_id: certificateId, updated_at: trx.fn.now() });
        return { certificateId, enrollmentId };
      });
    },
  };
}
export type EnrollmentRecordActivities = ReturnType<typeof createEnrollmentRecordActivities>;
