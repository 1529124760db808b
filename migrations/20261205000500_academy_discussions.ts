import type { Knex } from 'knex';

/** The longest comment or reply, in characters (the API refuses longer with 400 naming `content`). */
const COMMENT_MAX = 5000;

/**
 * academy discussions: admins' forums, learners' comments with threaded replies, and likes.
 *
 * Deep pages stay flat by position, not OFFSET: a top-level comment takes its forum's next
 * `position` (the forum's `comment_count`, raised under its row lock in the posting transaction),
 * a reply its parent's (`reply_count`). A deleted comment stays as a placeholder (content cleared,
 * `deleted_at` set), so positions stay dense: page p of size n is the index range
 * ((p-1)·n, p·n] and the totals are the counters, never a count(*).
 *
 * A like is a row unique per (comment, user): liking twice inserts once. `like_count` is kept by a
 * trigger on the like rows, so it moves exactly with them, however they go (an unlike, or the
 * liker's account deleted).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.withSchema('academy').createTable('discussions', (t) => {
    t.specificType('id', 'integer generated always as identity').primary();
    t.string('title', 200).notNullable();
    t.text('description');
    t.integer('created_by').references('id').inTable('academy.users').onDelete('SET NULL');
    /** Top-level comments ever posted here (placeholders of deleted ones included): the last position. */
    t.integer('comment_count').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['created_by']);
  });

  await knex.schema.withSchema('academy').createTable('discussion_comments', (t) => {
    t.specificType('id', 'integer generated always as identity').primary();
    t.integer('discussion_id')
      .notNullable()
      .references('id')
      .inTable('academy.discussions')
      .onDelete('CASCADE');
    /** The comment this one replies to (same forum); null for a top-level comment. */
    t.integer('parent_id').references('id').inTable('academy.discussion_comments').onDelete('CASCADE');
    /** 1, 2, 3… among the forum's top-level comments, or among the parent's replies. */
    t.integer('position').notNullable();
    /** The author (accounts are soft-deleted: the row stays; null only if one is ever purged). */
    t.integer('user_id').references('id').inTable('academy.users').onDelete('SET NULL');
    /** Null once deleted. */
    t.text('content');
    t.integer('reply_count').notNullable().defaultTo(0);
    t.integer('like_count').notNullable().defaultTo(0);
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('edited_at', { useTz: true });
    t.timestamp('deleted_at', { useTz: true });
    t.index(['user_id']);
  });
  await knex.raw(
    `create unique index discussion_comments_thread_position on academy.discussion_comments (discussion_id, position) where parent_id is null`,
  );
  await knex.raw(
    `create unique index discussion_comments_reply_position on academy.discussion_comments (parent_id, position) where parent_id is not null`,
  );
  await knex.raw(
    `alter table academy.discussion_comments add constraint discussion_comments_content_check
       check ((deleted_at is null) = (content is not null) and char_length(content) <= ${COMMENT_MAX})`,
  );

  await knex.schema.withSchema('academy').createTable('discussion_comment_likes', (t) => {
    t.integer('comment_id')
      .notNullable()
      .references('id')
      .inTable('academy.discussion_comments')
      .onDelete('CASCADE');
    t.integer('user_id').notNullable().references('id').inTable('academy.users').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['comment_id', 'user_id']);
    t.index(['user_id']);
  });
  await knex.raw(`
    create function academy.discussion_comment_like_count() returns trigger language plpgsql as $$
    begin
      if tg_op = 'INSERT' then
        update academy.discussion_comments set like_count = like_count + 1 where id = new.comment_id;
      else
        update academy.discussion_comments set like_count = like_count - 1 where id = old.comment_id;
      end if;
      return null;
    end $$`);
  await knex.raw(`
    create trigger discussion_comment_likes_count after insert or delete on academy.discussion_comment_likes
    for each row execute function academy.discussion_comment_like_count()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.withSchema('academy').dropTable('discussion_comment_likes');
  await knex.raw('drop function academy.discussion_comment_like_count()');
  await knex.schema.withSchema('academy').dropTable('discussion_comments');
  await knex.schema.withSchema('academy').dropTable('discussions');
}
