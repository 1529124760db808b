import type { Knex } from 'knex';
import type { Config } from '../../../core/config';
import { AppError, Conflict, NotFound } from '../../../core/errors';
import type { Logger } from '../../../core/logger';
import { CONTROL_QUEUE, type Temporal } from '../../../core/temporal';
import { dispatchStart, recordStart } from '../../../core/workflow-starts';
import {
  enrollmentCompletedSignal,
  enrollmentEndedSignal,
  paymentReceivedSignal,
} from '../../../workflows/academy/definitions';
import { enrollmentWorkflowIdOf } from '../../../workflows/academy/ids';
import { signalEnrollment } from './enrollment-signals';
import { enrollmentView, invoiceView } from './enrollment-views';
import { lockInvoice, settleInvoice, unpayable } from './invoice-payments';
import type { ContentAccess } from './modules';
import { openProgram } from './programs';
import { isAdmin } from './sessions';
import { insertInvoice } from './virtual-accounts';

export type EnrollmentStatus = 'Unpaid' | 'In Progress' | 'Completed' | 'Expired' | 'Cancelled';
export interface Page {
  page: number;
  limit: number;
}
export interface EnrollmentChange {
  status?: EnrollmentStatus;
  invoiceStatus?: 'Paid';
}

const isOpenEnrollmentTaken = (err: unknown) =>
  (err as { code?: string }).code === '23505' &&
  (err as { constraint?: string }).constraint === 'enrollments_one_open';

/**
 * A learner's enrollments: enrolling makes the enrollment, its invoice (virtual account, the
 * program's price, the due time) and the start of its workflow in one transaction (the outbox);
 * an admin may mark the invoice paid by hand (the same way a provider's callback does), set the
 * status, or delete it. Every read and write is scoped to the `{userId}` of the path, so another
 * learner's enrollment is 404.
 */
export function createEnrollmentService(deps: {
  db: Knex;
  config: Config;
  temporal: Temporal;
  logger: Logger;
}) {
  const { db, config } = deps;
  const find = (q: Knex | Knex.Transaction, userId: number, enrollmentId: number) =>
    q('academy.enrollments').where({ id: enrollmentId, user_id: userId }).first();
  const invoiceOf = (enrollmentId: number) =>
    db('academy.invoices').where({ enrollment_id: enrollmentId }).first();

  async function detail(userId: number, enrollmentId: number) {
    const e = await find(db, userId, enrollmentId);
    if (!e) throw new NotFound('enrollment');
    const invoice = await invoiceOf(e.id);
    return { ...enrollmentView(e), invoice: invoice ? invoiceView(invoice) : null };
  }

  /** A program's module contents open to admins and to learners whose enrollment in it is paid. */
  const opensProgram: ContentAccess = async (caller, programId) =>
    isAdmin(caller) ||
    Boolean(
      await db('academy.enrollments')
        .where({ user_id: caller.user.id, program_id: programId })
        .whereIn('status', ['In Progress', 'Completed'])
        .first('id'),
    );

  return {
    detail,
    opensProgram,

    async list(
      userId: number,
      { page, limit }: Page,
      filter: { status?: EnrollmentStatus; programId?: number },
    ) {
      const q = db('academy.enrollments')
        .where({ user_id: userId })
        .modify((b) => {
          if (filter.status) b.where({ status: filter.status });
          if (filter.programId) b.where({ program_id: filter.programId });
        });
      const [{ n }] = await q.clone().count({ n: '*' });
      const rows = await q
        .orderBy('id')
        .limit(limit)
        .offset((page - 1) * limit);
      return { enrollments: rows.map(enrollmentView), total: Number(n) };
    },

    /** Enrolls the learner: 409 while an enrollment of theirs in the program is open (atomic: a unique index). */
    async create(userId: number, programId: number) {
      const { enrollment, invoice, start } = await db.transaction(async (trx) => {
        const user = await trx('academy.users').where({ id: userId }).whereNull('deleted_at').first('id');
        if (!user) throw new NotFound('user');
        const program = await openProgram(trx, programId);
        let e;
        try {
          [e] = await trx('academy.enrollments')
            .insert({ user_id: userId, program_id: programId })
            .returning('*');
        } catch (err) {
          if (isOpenEnrollmentTaken(err))
            throw new Conflict(
              'already enrolled in this program: that enrollment is still open',
              'programId',
            );
          throw err;
        }
        const dueAt = new Date(Date.now() + config.ACADEMY_PAYMENT_DUE_SECONDS * 1000);
        const inv = await insertInvoice(
          trx,
          { enrollmentId: e.id, userId, amountIdr: Number(program.price_idr), dueAt },
          config.ACADEMY_VA_PREFIX,
        );
        const s = await recordStart(trx, enrollmentWorkflowIdOf(e.id), {
          workflowType: 'enrollmentLifecycle',
          taskQueue: CONTROL_QUEUE,
          args: [
            {
              enrollmentId: e.id,
              invoiceId: inv.id,
              userId,
              dueAt: dueAt.toISOString(),
              recheckMs: config.ACADEMY_ENROLLMENT_RECHECK_SECONDS * 1000,
            },
          ],
          searchAttributes: { product: 'academy', owner: String(userId), resource: String(e.id) },
        });
        return { enrollment: e, invoice: inv, start: s };
      });
      await dispatchStart(
        db,
        deps.temporal,
        start,
        'academy.enroll',
        `enrollment ${enrollment.id} and its invoice are recorded; its payment deadline is watched once Temporal answers`,
      );
      return { enrollment: enrollmentView(enrollment), invoice: invoiceView(invoice) };
    },

    /**
     * An admin's change. `invoiceStatus: "Paid"` (or `status: "In Progress"` of an Unpaid one)
     * marks the invoice paid by hand and tells the workflow, as a provider's callback does;
     * `Completed` (of one In Progress) issues the certificate; `Expired`/`Cancelled` end it.
     */
    async update(userId: number, enrollmentId: number, change: EnrollmentChange, adminId: number) {
      const field = change.invoiceStatus ? 'invoiceStatus' : 'status';
      let paidInvoiceId = 0;
      const signal = await db.transaction(async (trx) => {
        const e = await trx('academy.enrollments')
          .where({ id: enrollmentId, user_id: userId })
          .forUpdate()
          .first();
        if (!e) throw new NotFound('enrollment');
        const to = change.status;
        const paying = change.invoiceStatus === 'Paid' || (to === 'In Progress' && e.status === 'Unpaid');
        if (paying) {
          const inv = await lockInvoice(trx, { enrollment_id: e.id });
          // Already paid (by a provider, or a second click): nothing to mark, the workflow is told again.
          if (inv?.status !== 'Paid') {
            const why = unpayable(inv, field);
            if (why) throw why;
            await settleInvoice(trx, inv!.id, { provider: 'admin', ref: `user:${adminId}` });
          }
          paidInvoiceId = inv!.id;
          if (!to || to === 'In Progress') return 'paid' as const;
        }
        if (!to || to === e.status) return null;
        if (to === 'Completed') {
          if (e.status !== 'In Progress')
            throw new Conflict(
              `only an enrollment In Progress can be completed (this one is ${e.status})`,
              'status',
            );
          await trx('academy.enrollments')
            .where({ id: e.id })
            .update({ status: 'Completed', completed_at: trx.fn.now(), updated_at: trx.fn.now() });
          return 'completed' as const;
        }
        if (to === 'Expired' || to === 'Cancelled') {
          if (!['Unpaid', 'In Progress'].includes(e.status) || (to === 'Expired' && e.status !== 'Unpaid'))
            throw new Conflict(`an enrollment ${e.status} cannot become ${to}`, 'status');
          await trx('academy.enrollments')
            .where({ id: e.id })
            .update({ status: to, updated_at: trx.fn.now() });
          await trx('academy.invoices')
            .where({ enrollment_id: e.id, status: 'Unpaid' })
            .update({ status: to, updated_at: trx.fn.now() });
          return 'ended' as const;
        }
        throw new Conflict(`an enrollment ${e.status} cannot become ${to}`, 'status');
      });
      if (signal === 'paid')
        await signalEnrollment(deps, enrollmentId, paymentReceivedSignal, {
          invoiceId: paidInvoiceId,
          by: 'admin',
        });
      if (signal === 'completed') await signalEnrollment(deps, enrollmentId, enrollmentCompletedSignal);
      if (signal === 'ended') await signalEnrollment(deps, enrollmentId, enrollmentEndedSignal);
      return detail(userId, enrollmentId);
    },

    /** Deletes it with its invoice and progress (a certificate issued for it stays); its workflow ends. */
    async remove(userId: number, enrollmentId: number) {
      const deleted = await db('academy.enrollments').where({ id: enrollmentId, user_id: userId }).delete();
      if (!deleted) throw new NotFound('enrollment');
      await signalEnrollment(deps, enrollmentId, enrollmentEndedSignal);
    },

    /**
     * The learner finished a module of the enrollment's program: progress is the share of the
     * program's modules done; at 100 % the enrollment is Completed in the same statement and its
     * workflow told (it issues the certificate). Completing a module twice counts once.
     */
    async completeModule(userId: number, enrollmentId: number, moduleId: number) {
      const completed = await db.transaction(async (trx) => {
        const e = await trx('academy.enrollments')
          .where({ id: enrollmentId, user_id: userId })
          .forUpdate()
          .first();
        if (!e) throw new NotFound('enrollment');
        const mod = await trx('academy.modules')
          .where({ id: moduleId, program_id: e.program_id })
          .first('id');
        if (!mod)
          throw new AppError('not_found', 404, "no such module in this enrollment's program", 'moduleId');
        if (e.status === 'Completed') return false;
        if (e.status !== 'In Progress')
          throw new Conflict(
            e.status === 'Unpaid'
              ? 'the enrollment is not paid yet: its modules open once the invoice is paid'
              : `the enrollment is ${e.status}`,
            'enrollmentId',
          );
        await trx('academy.module_completions')
          .insert({ enrollment_id: e.id, module_id: moduleId })
          .onConflict(['enrollment_id', 'module_id'])
          .ignore();
        const { rows } = await trx.raw(
          `update academy.enrollments e
              set progress_percentage = p.pct,
                  status = case when p.pct >= 100 then 'Completed' else e.status end,
                  completed_at = case when p.pct >= 100 then now() else e.completed_at end,
                  updated_at = now()
             from (select round(100.0 * count(c.module_id) / greatest(count(m.id), 1), 2) as pct
                     from academy.modules m
                     left join academy.module_completions c on c.module_id = m.id and c.enrollment_id = ?
                    where m.program_id = ?) p
            where e.id = ?
        returning e.status`,
          [e.id, e.program_id, e.id],
        );
        return rows[0].status === 'Completed';
      });
      if (completed) await signalEnrollment(deps, enrollmentId, enrollmentCompletedSignal);
      return detail(userId, enrollmentId);
    },
  };
}
export type EnrollmentService = ReturnType<typeof createEnrollmentService>;
