import type { Knex } from 'knex';
import { NotFound } from '../../../core/errors';
import { writeAudit } from '../../http/audit';
import { containing, paged } from './paging';
import type { AcademyCaller } from './sessions';

export interface DiscussionRow {
  id: number;
  title: string;
  description: string | null;
  created_by: number | null;
  comment_count: number;
  created_at: Date;
  updated_at: Date;
}

export interface DiscussionInput {
  title: string;
  description?: string | null;
}

export const discussionView = (d: DiscussionRow) => ({
  id: d.id,
  title: d.title,
  description: d.description,
  /** Top-level comments, placeholders of deleted ones included (each comment counts its replies). */
  commentCount: d.comment_count,
  createdBy: d.created_by,
  createdAt: new Date(d.created_at).toISOString(),
  updatedAt: new Date(d.updated_at).toISOString(),
});

/** Forums: admins create, rename and delete them; every signed-in user reads them. */
export function createDiscussionService({ db }: { db: Knex }) {
  const table = 'academy.discussions';
  const audit = (
    trx: Knex.Transaction,
    by: AcademyCaller,
    action: string,
    id: number,
    ip: string,
    detail?: Record<string, unknown>,
  ) =>
    writeAudit(trx, 'academy', {
      actor: by.user.email,
      action,
      target: `discussion:${id}`,
      ip,
      outcome: 'success',
      detail,
    });
  return {
    async list(q: { page: number; limit: number; search?: string }) {
      const { rows, pagination } = await paged<DiscussionRow>(
        db(table).modify((b) => {
          if (q.search) b.whereILike('title', containing(q.search));
        }),
        { page: q.page, limit: q.limit, id: 'id' },
      );
      return { discussions: rows.map(discussionView), pagination };
    },

    async get(id: number) {
      const row = await db(table).where({ id }).first();
      if (!row) throw new NotFound(`discussion ${id}`);
      return discussionView(row);
    },

    async create(by: AcademyCaller, input: DiscussionInput, ip: string) {
      return db.transaction(async (trx) => {
        const [row] = await trx(table)
          .insert({ title: input.title, description: input.description ?? null, created_by: by.user.id })
          .returning('*');
        await audit(trx, by, 'discussions.create', row.id, ip);
        return discussionView(row);
      });
    },

    async update(by: AcademyCaller, id: number, input: Partial<DiscussionInput>, ip: string) {
      return db.transaction(async (trx) => {
        const [row] = await trx(table)
          .where({ id })
          .update({ ...input, updated_at: trx.fn.now() })
          .returning('*');
        if (!row) throw new NotFound(`discussion ${id}`);
        await audit(trx, by, 'discussions.update', id, ip, { fields: Object.keys(input) });
        return discussionView(row);
      });
    },

    /** Deletes the forum with all its comments, replies and likes. */
    async remove(by: AcademyCaller, id: number, ip: string) {
      await db.transaction(async (trx) => {
        const deleted = await trx(table).where({ id }).delete();
        if (!deleted) throw new NotFound(`discussion ${id}`);
        await audit(trx, by, 'discussions.delete', id, ip);
      });
    },
  };
}
export type DiscussionService = ReturnType<typeof createDiscussionService>;
