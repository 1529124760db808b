import type { Knex } from 'knex';
import { Conflict, Forbidden, NotFound } from '../../../core/errors';
import { writeAudit } from '../../http/audit';
import { positionRange, type CommentOrder } from './discussion-pages';
import { pagination } from './envelope';
import { isAdmin, type AcademyCaller } from './sessions';

export interface CommentRow {
  id: number;
  discussion_id: number;
  parent_id: number | null;
  position: number;
  user_id: number | null;
  content: string | null;
  reply_count: number;
  like_count: number;
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
  author_name?: string | null;
  author_deleted_at?: Date | null;
  liked_by_me?: boolean;
}

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** A comment as the API shows it; a deleted one keeps its place, without its content. */
export const commentView = (c: CommentRow) => ({
  id: c.id,
  discussionId: c.discussion_id,
  parentId: c.parent_id,
  content: c.content,
  // A deleted account's comments stay, without naming it.
  author:
    c.user_id === null || c.author_deleted_at ? null : { id: c.user_id, fullName: c.author_name ?? null },
  replyCount: c.reply_count,
  likeCount: c.like_count,
  likedByMe: c.liked_by_me ?? false,
  isDeleted: c.deleted_at !== null,
  createdAt: iso(c.created_at),
  editedAt: iso(c.edited_at),
  deletedAt: iso(c.deleted_at),
});

export interface CommentPageQuery {
  page: number;
  limit: number;
  order: CommentOrder;
  /** The comment whose replies to list; without it, the forum's top-level comments. */
  parentId?: number;
}

const COMMENTS = 'academy.discussion_comments';
const LIKES = 'academy.discussion_comment_likes';

/** 404 for a comment not in this forum, 409 for one that was deleted: it may not be changed. */
function live(row: CommentRow | undefined, discussionId: number, commentId: number): CommentRow {
  if (!row || row.discussion_id !== discussionId) throw new NotFound(`comment ${commentId}`);
  if (row.deleted_at) throw new Conflict(`commentId: comment ${commentId} was deleted`, 'commentId');
  return row;
}

/** The comment, row-locked for a change in this transaction, if it is in the forum and not deleted. */
const locked = async (trx: Knex.Transaction, discussionId: number, commentId: number) =>
  live(await trx<CommentRow>(COMMENTS).where({ id: commentId }).forUpdate().first(), discussionId, commentId);

/**
 * Comments and threaded replies of a forum. Any signed-in user posts and replies; only the author
 * edits; the author or an admin deletes. Positions are taken under the row lock of the forum (a
 * top-level comment) or of the parent (a reply), so parallel posts get 1, 2, 3… with no gap.
 */
export function createCommentService({ db }: { db: Knex }) {
  /** The comments with their author's name and whether the caller likes each. */
  const withAuthor = (q: Knex | Knex.Transaction, caller: AcademyCaller) =>
    q(`${COMMENTS} as c`)
      .leftJoin('academy.users as u', 'u.id', 'c.user_id')
      .select(
        'c.*',
        'u.full_name as author_name',
        'u.deleted_at as author_deleted_at',
        q.raw(
          `exists (select 1 from ${LIKES} l where l.comment_id = c.id and l.user_id = ?) as liked_by_me`,
          [caller.user.id],
        ),
      );

  const read = async (caller: AcademyCaller, id: number, trx: Knex | Knex.Transaction = db) =>
    commentView(await withAuthor(trx, caller).where('c.id', id).first());

  async function forumTotal(discussionId: number) {
    const forum = await db('academy.discussions').where({ id: discussionId }).first('comment_count');
    if (!forum) throw new NotFound(`discussion ${discussionId}`);
    return forum.comment_count as number;
  }

  async function replyTotal(discussionId: number, parentId: number) {
    const parent = await db(COMMENTS)
      .where({ id: parentId, discussion_id: discussionId })
      .first('reply_count');
    if (!parent) throw new NotFound(`comment ${parentId}`);
    return parent.reply_count as number;
  }

  return {
    async list(caller: AcademyCaller, discussionId: number, q: CommentPageQuery) {
      const total =
        q.parentId === undefined
          ? await forumTotal(discussionId)
          : await replyTotal(discussionId, q.parentId);
      const range = positionRange(q.page, q.limit, total, q.order);
      const rows: CommentRow[] = range
        ? await withAuthor(db, caller)
            .where('c.discussion_id', discussionId)
            .modify((b) =>
              q.parentId === undefined ? b.whereNull('c.parent_id') : b.where('c.parent_id', q.parentId),
            )
            .whereBetween('c.position', [range.from, range.to])
            .orderBy('c.position', q.order === 'oldest' ? 'asc' : 'desc')
        : [];
      return {
        comments: rows.map(commentView),
        pagination: pagination(q.page, q.limit, total, rows.length),
      };
    },

    async get(caller: AcademyCaller, discussionId: number, commentId: number) {
      const row = await withAuthor(db, caller)
        .where({ 'c.id': commentId, 'c.discussion_id': discussionId })
        .first();
      if (!row) throw new NotFound(`comment ${commentId}`);
      return commentView(row);
    },

    async post(caller: AcademyCaller, discussionId: number, content: string) {
      return db.transaction(async (trx) => {
        const [forum] = await trx('academy.discussions')
          .where({ id: discussionId })
          .increment('comment_count', 1)
          .returning('comment_count');
        if (!forum) throw new NotFound(`discussion ${discussionId}`);
        const [row] = await trx(COMMENTS)
          .insert({
            discussion_id: discussionId,
            position: forum.comment_count,
            user_id: caller.user.id,
            content,
          })
          .returning('id');
        return read(caller, row.id, trx);
      });
    },

    async reply(caller: AcademyCaller, discussionId: number, parentId: number, content: string) {
      return db.transaction(async (trx) => {
        const parent = await locked(trx, discussionId, parentId);
        const [{ reply_count: position }] = await trx(COMMENTS)
          .where({ id: parent.id })
          .increment('reply_count', 1)
          .returning('reply_count');
        const [row] = await trx(COMMENTS)
          .insert({
            discussion_id: discussionId,
            parent_id: parent.id,
            position,
            user_id: caller.user.id,
            content,
          })
          .returning('id');
        return read(caller, row.id, trx);
      });
    },

    /** Only the author edits: an admin moderates by deleting. */
    async edit(caller: AcademyCaller, discussionId: number, commentId: number, content: string) {
      return db.transaction(async (trx) => {
        const row = await locked(trx, discussionId, commentId);
        if (row.user_id !== caller.user.id) throw new Forbidden('only its author may edit a comment');
        await trx(COMMENTS).where({ id: commentId }).update({ content, edited_at: trx.fn.now() });
        return read(caller, commentId, trx);
      });
    },

    /** The author or an admin; the comment stays as a placeholder so its replies and pages stay put. */
    async remove(caller: AcademyCaller, discussionId: number, commentId: number, ip: string) {
      await db.transaction(async (trx) => {
        const row = await locked(trx, discussionId, commentId);
        const own = row.user_id === caller.user.id;
        if (!own && !isAdmin(caller)) throw new Forbidden('only its author or an admin may delete a comment');
        await trx(COMMENTS).where({ id: commentId }).update({ content: null, deleted_at: trx.fn.now() });
        // An admin removing someone else's words is moderation: it leaves a trace.
        if (!own)
          await writeAudit(trx, 'academy', {
            actor: caller.user.email,
            action: 'discussions.comments.delete',
            target: `comment:${commentId}`,
            ip,
            outcome: 'success',
            detail: { discussionId, authorId: row.user_id },
          });
      });
    },

    /**
     * Likes once per user: the like row's key makes a second like (or a parallel one) insert
     * nothing, and the count moves with the rows (a trigger). The comment's row lock orders a like
     * against the comment's deletion.
     */
    async like(caller: AcademyCaller, discussionId: number, commentId: number) {
      return db.transaction(async (trx) => {
        await locked(trx, discussionId, commentId);
        await trx(LIKES).insert({ comment_id: commentId, user_id: caller.user.id }).onConflict().ignore();
        return read(caller, commentId, trx);
      });
    },

    /** Takes the caller's like back; unliking what one does not like changes nothing. */
    async unlike(caller: AcademyCaller, discussionId: number, commentId: number) {
      return db.transaction(async (trx) => {
        await locked(trx, discussionId, commentId);
        await trx(LIKES).where({ comment_id: commentId, user_id: caller.user.id }).delete();
        return read(caller, commentId, trx);
      });
    },
  };
}
export type CommentService = ReturnType<typeof createCommentService>;
