import type { Knex } from 'knex';
import { Forbidden, Invalid, NotFound } from '../../../core/errors';
import { newId } from '../../../core/ids';
import { writeAudit } from '../../http/audit';
import type { LabCaller } from './auth';
import type { Ticket, TicketStatus } from './models';

type Status = TicketStatus;
const view = (t: Ticket) => ({
  id: t.id,
  userId: t.user_id,
  containerName: t.container_name,
  subject: t.subject,
  description: t.description,
  status: t.status,
  adminNote: t.admin_note,
  createdAt: new Date(t.created_at).toISOString(),
  updatedAt: new Date(t.updated_at).toISOString(),
});

/**
 * Tickets about containers. A researcher opens one about a container of their own and may close
 * or reopen it; an admin moves it through in_progress and resolved and may leave a note.
 */
export function createTicketService(deps: { db: Knex }) {
  const { db } = deps;
  return {
    async open(
      caller: LabCaller,
      containerName: string,
      input: { subject: string; description: string },
      ip: string,
    ) {
      const container = await db('gpu_lab.containers').where({ name: containerName }).first();
      if (!container || (caller.user.role !== 'admin' && container.owner_id !== caller.user.id))
        throw new NotFound(`container ${containerName}`);
      const [row] = await db('gpu_lab.tickets')
        .insert({
          id: newId('tkt'),
          user_id: caller.user.id,
          container_name: containerName,
          subject: input.subject,
          description: input.description,
        })
        .returning('*');
      await writeAudit(db, 'gpu-lab', {
        actor: caller.user.email,
        action: 'ticket.open',
        target: `ticket:${row.id}`,
        ip,
        outcome: 'success',
      });
      return { ticket: view(row) };
    },

    async update(caller: LabCaller, id: string, input: { status: Status; adminNote?: string }, ip: string) {
      const row = await db('gpu_lab.tickets').where({ id }).first();
      const admin = caller.user.role === 'admin';
      if (!row || (!admin && row.user_id !== caller.user.id)) throw new NotFound(`ticket ${id}`);
      if (!admin && !['open', 'closed'].includes(input.status))
        throw new Forbidden('a researcher may only close or reopen a ticket');
      if (!admin && input.adminNote !== undefined)
        throw new Invalid('adminNote: only an admin writes it', 'adminNote');
      const [updated] = await db('gpu_lab.tickets')
        .where({ id })
        .update({
          status: input.status,
          ...(input.adminNote !== undefined ? { admin_note: input.adminNote } : {}),
          updated_at: db.fn.now(),
        })
        .returning('*');
      await writeAudit(db, 'gpu-lab', {
        actor: caller.user.email,
        action: 'ticket.update',
        target: `ticket:${id}`,
        ip,
        outcome: 'success',
        detail: { status: input.status },
      });
      return { ticket: view(updated) };
    },

    async mine(caller: LabCaller) {
      const rows = await db('gpu_lab.tickets')
        .where({ user_id: caller.user.id })
        .orderBy('created_at', 'desc');
      return { tickets: rows.map(view) };
    },

    async all(q: { status?: Status; limit: number; offset: number }) {
      const base = db('gpu_lab.tickets').modify((b) => q.status && b.where({ status: q.status }));
      const [rows, [{ n }]] = await Promise.all([
        base.clone().orderBy('created_at', 'desc').limit(q.limit).offset(q.offset),
        base.clone().count('* as n'),
      ]);
      return { tickets: rows.map(view), total: Number(n) };
    },
  };
}
export type TicketService = ReturnType<typeof createTicketService>;
