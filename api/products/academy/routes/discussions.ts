import { answer, listAnswer } from '../envelope';
import { Empty } from '../schemas/common';
import * as s from '../schemas/discussions';
import { caller, type AcademyRoute, type AcademyServices } from './context';

const forumNotFound = { description: 'No such forum' };
const commentNotFound = { description: 'No such comment in this forum' };
const deletedComment = { description: 'The comment was deleted (errors name commentId)' };

/** Forums (admins manage them), their comments and threaded replies, and likes: academy.md's /discussions. */
export function discussionRoutes(
  route: AcademyRoute,
  { discussions: forums, comments }: AcademyServices,
): void {
  route({
    method: 'get',
    path: '/api/v1/discussions',
    tag: 'discussions',
    auth: 'user',
    summary: 'Forums, oldest first (?search= matches the title)',
    query: s.DiscussionsQuery,
    responses: { 200: { description: 'A page of forums', schema: s.DiscussionList } },
    handler: async ({ query }) => {
      const { discussions, pagination } = await forums.list(query);
      return listAnswer('Successfully retrieved all discussion forums.', { discussions }, pagination);
    },
  });
  route({
    method: 'get',
    path: '/api/v1/discussions/{discussionId}',
    tag: 'discussions',
    auth: 'user',
    summary: 'One forum',
    params: s.DiscussionIdParams,
    responses: { 200: { description: 'The forum', schema: s.DiscussionAnswer }, 404: forumNotFound },
    handler: async ({ params }) =>
      answer('Successfully retrieved discussion forum details.', {
        discussion: await forums.get(params.discussionId),
      }),
  });
  route({
    method: 'post',
    path: '/api/v1/discussions',
    tag: 'discussions',
    auth: 'admin',
    summary: 'Create a forum',
    body: s.CreateDiscussionBody,
    status: 201,
    responses: { 201: { description: 'Created', schema: s.DiscussionAnswer } },
    handler: async ({ body }, ctx) =>
      answer(
        'Successfully created a discussion forum.',
        { discussion: await forums.create(caller(ctx), body, ctx.ip) },
        201,
      ),
  });
  route({
    method: 'patch',
    path: '/api/v1/discussions/{discussionId}',
    tag: 'discussions',
    auth: 'admin',
    summary: "Change a forum's title or description",
    params: s.DiscussionIdParams,
    body: s.UpdateDiscussionBody,
    responses: { 200: { description: 'Updated', schema: s.DiscussionAnswer }, 404: forumNotFound },
    handler: async ({ params, body }, ctx) =>
      answer('Successfully updated a discussion forum.', {
        discussion: await forums.update(caller(ctx), params.discussionId, body, ctx.ip),
      }),
  });
  route({
    method: 'delete',
    path: '/api/v1/discussions/{discussionId}',
    tag: 'discussions',
    auth: 'admin',
    summary: 'Delete a forum with its comments, replies and likes',
    params: s.DiscussionIdParams,
    responses: { 200: { description: 'Deleted', schema: Empty }, 404: forumNotFound },
    handler: async ({ params }, ctx) => {
      await forums.remove(caller(ctx), params.discussionId, ctx.ip);
      return answer('Successfully deleted a discussion forum.', null);
    },
  });

  route({
    method: 'get',
    path: '/api/v1/discussions/{discussionId}/comments',
    tag: 'discussions',
    auth: 'user',
    summary: "A forum's top-level comments, or (?parentId=) one comment's replies",
    description:
      'A deleted comment stays in its place as a placeholder (content null, isDeleted true). Pages are ranges of a dense position, so a deep page costs what the first does.',
    params: s.DiscussionIdParams,
    query: s.CommentsQuery,
    responses: {
      200: { description: 'A page of comments', schema: s.CommentList },
      404: { description: 'No such forum, or no such parent comment in it' },
    },
    handler: async ({ params, query }, ctx) => {
      const page = await comments.list(caller(ctx), params.discussionId, query);
      return listAnswer('Successfully retrieved all comments.', { comments: page.comments }, page.pagination);
    },
  });
  route({
    method: 'get',
    path: '/api/v1/discussions/{discussionId}/comments/{commentId}',
    tag: 'discussions',
    auth: 'user',
    summary: 'One comment or reply',
    params: s.CommentIdParams,
    responses: { 200: { description: 'The comment', schema: s.CommentAnswer }, 404: commentNotFound },
    handler: async ({ params }, ctx) =>
      answer('Successfully retrieved comment details.', {
        comment: await comments.get(caller(ctx), params.discussionId, params.commentId),
      }),
  });
  route({
    method: 'post',
    path: '/api/v1/discussions/{discussionId}/comments',
    tag: 'discussions',
    auth: 'user',
    summary: 'Post a comment to a forum',
    params: s.DiscussionIdParams,
    body: s.CommentBody,
    status: 201,
    responses: { 201: { description: 'Posted', schema: s.CommentAnswer }, 404: forumNotFound },
    handler: async ({ params, body }, ctx) =>
      answer(
        'Successfully posted a comment.',
        { comment: await comments.post(caller(ctx), params.discussionId, body.content) },
        201,
      ),
  });
  route({
    method: 'patch',
    path: '/api/v1/discussions/{discussionId}/comments/{commentId}',
    tag: 'discussions',
    auth: 'user',
    summary: 'Edit one of your comments',
    params: s.CommentIdParams,
    body: s.CommentBody,
    responses: {
      200: { description: 'Edited', schema: s.CommentAnswer },
      403: { description: "Another user's comment" },
      404: commentNotFound,
      409: deletedComment,
    },
    handler: async ({ params, body }, ctx) =>
      answer('Successfully updated a comment.', {
        comment: await comments.edit(caller(ctx), params.discussionId, params.commentId, body.content),
      }),
  });
  route({
    method: 'delete',
    path: '/api/v1/discussions/{discussionId}/comments/{commentId}',
    tag: 'discussions',
    auth: 'user',
    summary: 'Delete one of your comments (admins: any); it stays as a placeholder for its replies',
    params: s.CommentIdParams,
    responses: {
      200: { description: 'Deleted', schema: Empty },
      403: { description: "Another user's comment, and the caller is no admin" },
      404: commentNotFound,
      409: deletedComment,
    },
    handler: async ({ params }, ctx) => {
      await comments.remove(caller(ctx), params.discussionId, params.commentId, ctx.ip);
      return answer('Successfully deleted a comment.', null);
    },
  });
  route({
    method: 'post',
    path: '/api/v1/discussions/{discussionId}/comments/{commentId}/reply',
    tag: 'discussions',
    auth: 'user',
    summary: 'Reply to a comment (or to a reply)',
    params: s.CommentIdParams,
    body: s.CommentBody,
    status: 201,
    responses: {
      201: { description: 'Posted', schema: s.CommentAnswer },
      404: commentNotFound,
      409: deletedComment,
    },
    handler: async ({ params, body }, ctx) =>
      answer(
        'Successfully replied to a comment.',
        { comment: await comments.reply(caller(ctx), params.discussionId, params.commentId, body.content) },
        201,
      ),
  });
  route({
    method: 'post',
    path: '/api/v1/discussions/{discussionId}/comments/{commentId}/like',
    tag: 'discussions',
    auth: 'user',
    summary: 'Like a comment; liking it again changes nothing',
    params: s.CommentIdParams,
    responses: {
      200: { description: 'The comment with its like count', schema: s.CommentAnswer },
      404: commentNotFound,
      409: deletedComment,
    },
    handler: async ({ params }, ctx) =>
      answer('Successfully liked a comment.', {
        comment: await comments.like(caller(ctx), params.discussionId, params.commentId),
      }),
  });
  route({
    method: 'post',
    path: '/api/v1/discussions/{discussionId}/comments/{commentId}/unlike',
    tag: 'discussions',
    auth: 'user',
    summary: 'Take back your like; unliking what you do not like changes nothing',
    params: s.CommentIdParams,
    responses: {
      200: { description: 'The comment with its like count', schema: s.CommentAnswer },
      404: commentNotFound,
      409: deletedComment,
    },
    handler: async ({ params }, ctx) =>
      answer('Successfully unliked a comment.', {
        comment: await comments.unlike(caller(ctx), params.discussionId, params.commentId),
      }),
  });
}
