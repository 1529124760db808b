import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { COLUMN_MAX } from '../../../http/whole-number';
import { ok, okList } from '../envelope';
import { Id, PageQuery, Search } from './common';

/** The longest comment or reply (the migration's check says the same). */
export const COMMENT_MAX = 5000;

/** A forum's or comment's id as the document states it: a positive int4. */
const IdParam = Id.openapi({ type: 'integer', minimum: 1, maximum: COLUMN_MAX.integer, example: 1 });

export const DiscussionIdParams = z.strictObject({ discussionId: IdParam });
export const CommentIdParams = z.strictObject({ discussionId: IdParam, commentId: IdParam });

const title = z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
const description = z.string().trim().max(2000, 'must be at most 2000 characters').nullable();

export const CreateDiscussionBody = z
  .strictObject({ title, description: description.optional() })
  .openapi('CreateDiscussionRequest');
export const UpdateDiscussionBody = z
  .strictObject({ title: title.optional(), description: description.optional() })
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change')
  .openapi('UpdateDiscussionRequest');
export const DiscussionsQuery = z.strictObject({
  ...PageQuery,
  search: Search.openapi({ description: 'Part of the title, any case' }),
});

export const CommentBody = z
  .strictObject({
    content: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(COMMENT_MAX, `must be at most ${COMMENT_MAX} characters`),
  })
  .openapi('CommentRequest');
export const CommentsQuery = z.strictObject({
  ...PageQuery,
  order: z.enum(['oldest', 'newest']).default('oldest'),
  parentId: IdParam.optional().openapi({
    description: "List this comment's replies instead of the forum's top-level comments",
  }),
});

export const Discussion = z
  .object({
    id: z.number().int(),
    title: z.string(),
    description: z.string().nullable(),
    commentCount: z
      .number()
      .int()
      .openapi({ description: 'Top-level comments, deleted placeholders included' }),
    createdBy: z.number().int().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Discussion');

export const Comment = z
  .object({
    id: z.number().int(),
    discussionId: z.number().int(),
    parentId: z.number().int().nullable(),
    content: z.string().nullable().openapi({ description: 'null once deleted' }),
    author: z.object({ id: z.number().int(), fullName: z.string().nullable() }).nullable(),
    replyCount: z.number().int(),
    likeCount: z.number().int(),
    likedByMe: z.boolean(),
    isDeleted: z.boolean(),
    createdAt: z.string(),
    editedAt: z.string().nullable(),
    deletedAt: z.string().nullable(),
  })
  .openapi('Comment');

export const DiscussionList = okList(z.object({ discussions: z.array(Discussion) })).openapi(
  'DiscussionList',
);
export const DiscussionAnswer = ok(z.object({ discussion: Discussion })).openapi('DiscussionAnswer');
export const CommentList = okList(z.object({ comments: z.array(Comment) })).openapi('CommentList');
export const CommentAnswer = ok(z.object({ comment: Comment })).openapi('CommentAnswer');
