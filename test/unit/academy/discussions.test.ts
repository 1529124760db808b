import { positionRange } from '../../../api/products/academy/discussion-pages';
import { commentView } from '../../../api/products/academy/discussion-comments';

describe('a page of comments by position', () => {
  it('oldest first: page p of n covers positions (p-1)·n+1 … p·n, the last page what is left', () => {
    expect(positionRange(1, 10, 25, 'oldest')).toEqual({ from: 1, to: 10 });
    expect(positionRange(2, 10, 25, 'oldest')).toEqual({ from: 11, to: 20 });
    expect(positionRange(3, 10, 25, 'oldest')).toEqual({ from: 21, to: 25 });
  });

  it('newest first: page 1 ends at the last position, the last page starts at 1', () => {
    expect(positionRange(1, 10, 25, 'newest')).toEqual({ from: 16, to: 25 });
    expect(positionRange(2, 10, 25, 'newest')).toEqual({ from: 6, to: 15 });
    expect(positionRange(3, 10, 25, 'newest')).toEqual({ from: 1, to: 5 });
  });

  it('a page past the last one, or of an empty thread, covers nothing', () => {
    expect(positionRange(4, 10, 25, 'oldest')).toBeNull();
    expect(positionRange(4, 10, 25, 'newest')).toBeNull();
    expect(positionRange(1, 10, 0, 'oldest')).toBeNull();
    expect(positionRange(1, 10, 0, 'newest')).toBeNull();
  });

  it('a deep page of 10,000 is one range, the same size as the first', () => {
    expect(positionRange(1000, 10, 10_000, 'oldest')).toEqual({ from: 9991, to: 10_000 });
    expect(positionRange(1000, 10, 10_000, 'newest')).toEqual({ from: 1, to: 10 });
  });
});

describe('a comment as the API shows it', () => {
  const row = {
    id: 7,
    discussion_id: 2,
    parent_id: 3,
    position: 1,
    user_id: 5,
    content: 'halo',
    reply_count: 0,
    like_count: 2,
    created_at: new Date('2026-12-02T10:00:00Z'),
    edited_at: null,
    deleted_at: null,
    author_name: 'Ani',
    author_deleted_at: null,
    liked_by_me: true,
  };

  it('names its author and says whether the caller likes it', () => {
    expect(commentView(row)).toEqual({
      id: 7,
      discussionId: 2,
      parentId: 3,
      content: 'halo',
      author: { id: 5, fullName: 'Ani' },
      replyCount: 0,
      likeCount: 2,
      likedByMe: true,
      isDeleted: false,
      createdAt: '2026-12-02T10:00:00.000Z',
      editedAt: null,
      deletedAt: null,
    });
  });

  it('a deleted comment keeps its place without content; a deleted account is not named', () => {
    const deletedAt = new Date('2026-12-02T11:00:00Z');
    expect(commentView({ ...row, content: null, deleted_at: deletedAt })).toMatchObject({
      content: null,
      isDeleted: true,
      deletedAt: '2026-12-02T11:00:00.000Z',
    });
    expect(commentView({ ...row, author_deleted_at: deletedAt }).author).toBeNull();
    expect(commentView({ ...row, user_id: null }).author).toBeNull();
  });
});
