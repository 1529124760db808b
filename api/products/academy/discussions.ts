import type { Knex } from 'knex';
import { NotFound } from '../../../core/errors';
import { containing, paged } from './paging';

/** Who is calling: the signed-in academy user. */
export interface DiscussionCaller {
  id: number;
  role: string;
}

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

    async create(caller: DiscussionCaller, input: DiscussionInput) {
      const [row] = await db(table)
        .insert({ title: input.title, description: input.description ?? null, created_by: caller.id })
        .returning('*');
      return discussionView(row);
    },

    async update(id: number, input: Partial<DiscussionInput>) {
      const [row] = await db(table)
        .where({ id })
        .update({ ...input, updated_at: db.fn.now() })
        .returning('*');
      if (!row) throw new NotFound(`discussion ${id}`);
      return discussionView(row);
    },

    /** Deletes the forum with all its comments, replies and likes. */
    async remove(id: number) {
      const deleted = await db(table).where({ id }).delete();
      if (!deleted) throw new NotFound(`discussion ${id}`);
    },
  };
}
export type DiscussionService = ReturnType<typeof createDiscussionService>;
