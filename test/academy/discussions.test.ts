import { useAcademy } from '../support/academy';

const academy = useAcademy();
const { call } = academy;

/** A forum made by a fresh admin: its id and the admin's token. */
async function forum(title = 'Belajar TypeScript') {
  const admin = await academy.admin();
  const res = await call('POST', '/discussions', admin.token, { title, description: 'Tanya jawab' });
  expect(res.status).toBe(201);
  return { id: res.body.data.discussion.id as number, admin };
}

/** Posts a comment (or, with `parent`, a reply) and returns it. */
async function post(forumId: number, token: string, content: string, parent?: number) {
  const path = parent
    ? `/discussions/${forumId}/comments/${parent}/reply`
    : `/discussions/${forumId}/comments`;
  const res = await call('POST', path, token, { content });
  expect(res.status).toBe(201);
  return res.body.data.comment;
}

const refused = (field: string | null, code: string) =>
  expect.objectContaining({ success: false, data: null, errors: [expect.objectContaining({ field, code })] });

describe('academy forums', () => {
  it('an admin creates, renames and deletes a forum; a learner reads it and may not change it', async () => {
    const learner = await academy.learner();
    const admin = await academy.admin();
    const created = await call('POST', '/discussions', admin.token, { title: '  Kelas Node.js  ' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      success: true,
      statusCode: 201,
      message: 'Successfully created a discussion forum.',
      data: {
        discussion: {
          id: expect.any(Number),
          title: 'Kelas Node.js',
          description: null,
          commentCount: 0,
          createdBy: admin.id,
          createdAt: expect.any(String),
          updatedAt: expect.any(String),
        },
      },
      errors: null,
    });
    const id = created.body.data.discussion.id;

    const read = await call('GET', `/discussions/${id}`, learner.token);
    expect(read.status).toBe(200);
    expect(read.body.message).toBe('Successfully retrieved discussion forum details.');
    expect(read.body.data.discussion.title).toBe('Kelas Node.js');

    expect((await call('POST', '/discussions', learner.token, { title: 'mine' })).status).toBe(403);
    expect((await call('PATCH', `/discussions/${id}`, learner.token, { title: 'x' })).status).toBe(403);
    expect((await call('DELETE', `/discussions/${id}`, learner.token)).status).toBe(403);
    expect((await call('GET', `/discussions/${id}`)).status).toBe(401);

    const renamed = await call('PATCH', `/discussions/${id}`, admin.token, {
      description: 'Semua tentang Node',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.data.discussion).toMatchObject({
      title: 'Kelas Node.js',
      description: 'Semua tentang Node',
    });

    await post(id, learner.token, 'hello');
    const gone = await call('DELETE', `/discussions/${id}`, admin.token);
    expect(gone.body).toEqual({
      success: true,
      statusCode: 200,
      message: 'Successfully deleted a discussion forum.',
      data: null,
      errors: null,
    });
    expect((await call('GET', `/discussions/${id}`, learner.token)).status).toBe(404);
    expect(await academy.api().db('academy.discussion_comments').where({ discussion_id: id })).toEqual([]);
  });

  it('lists forums a page at a time, with the contract pagination and a title search', async () => {
    const learner = await academy.learner();
    const tag = `cari-${Date.now()}`;
    for (const n of [1, 2, 3]) await forum(`${tag} forum ${n}`);
    await forum('another topic');
    const page = await call('GET', `/discussions?search=${tag.toUpperCase()}&limit=2&page=2`, learner.token);
    expect(page.status).toBe(200);
    expect(page.body.message).toBe('Successfully retrieved all discussion forums.');
    expect(page.body.data.discussions.map((d: { title: string }) => d.title)).toEqual([`${tag} forum 3`]);
    expect(page.body.pagination).toEqual({
      currentRecords: 1,
      totalRecords: 3,
      currentPage: 2,
      totalPages: 2,
      nextPage: null,
      prevPage: 1,
    });
  });

  it('refuses bad forum input naming the field, and a forum id that is not an integer', async () => {
    const admin = await academy.admin();
    const long = await call('POST', '/discussions', admin.token, { title: 'x'.repeat(201) });
    expect(long.status).toBe(400);
    expect(long.body).toEqual(refused('title', 'invalid_request'));
    expect((await call('POST', '/discussions', admin.token, {})).body.message).toBe('title: is required');
    expect((await call('PATCH', '/discussions/1', admin.token, {})).status).toBe(400);
    for (const id of ['abc', '1.5', '0', '99999999999']) {
      const res = await call('GET', `/discussions/${id}`, admin.token);
      expect(res.status).toBe(400);
      expect(res.body).toEqual(refused('discussionId', 'invalid_request'));
    }
    const bad = await call('GET', '/discussions/1/comments/abc', admin.token);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(refused('commentId', 'invalid_request'));
    expect((await call('GET', '/discussions/2147483647', admin.token)).status).toBe(404);
  });
});

describe('academy comments and replies', () => {
  it('a learner posts, another replies; the thread lists top-level comments and each reply list', async () => {
    const { id } = await forum();
    const ani = await academy.learner('ani');
    const budi = await academy.learner('budi');
    const posted = await call('POST', `/discussions/${id}/comments`, ani.token, {
      content: ' Apa itu closure? ',
    });
    expect(posted.status).toBe(201);
    expect(posted.body).toEqual({
      success: true,
      statusCode: 201,
      message: 'Successfully posted a comment.',
      data: {
        comment: {
          id: expect.any(Number),
          discussionId: id,
          parentId: null,
          content: 'Apa itu closure?',
          author: { id: ani.id, fullName: expect.any(String) },
          replyCount: 0,
          likeCount: 0,
          likedByMe: false,
          isDeleted: false,
          createdAt: expect.any(String),
          editedAt: null,
          deletedAt: null,
        },
      },
      errors: null,
    });
    const question = posted.body.data.comment;
    const answer = await post(id, budi.token, 'Fungsi yang mengingat lingkupnya.', question.id);
    expect(answer).toMatchObject({ parentId: question.id, author: { id: budi.id } });
    const nested = await post(id, ani.token, 'Terima kasih!', answer.id);
    expect(nested.parentId).toBe(answer.id);
    await post(id, budi.token, 'Pertanyaan kedua');

    const top = await call('GET', `/discussions/${id}/comments`, budi.token);
    expect(top.body.message).toBe('Successfully retrieved all comments.');
    expect(top.body.data.comments.map((c: { content: string }) => c.content)).toEqual([
      'Apa itu closure?',
      'Pertanyaan kedua',
    ]);
    expect(top.body.data.comments[0].replyCount).toBe(1);
    expect(top.body.pagination).toMatchObject({ totalRecords: 2, totalPages: 1 });
    const newest = await call('GET', `/discussions/${id}/comments?order=newest`, budi.token);
    expect(newest.body.data.comments[0].content).toBe('Pertanyaan kedua');

    const replies = await call('GET', `/discussions/${id}/comments?parentId=${question.id}`, ani.token);
    expect(replies.body.data.comments).toEqual([expect.objectContaining({ id: answer.id, replyCount: 1 })]);
    const reply = await call('GET', `/discussions/${id}/comments/${nested.id}`, budi.token);
    expect(reply.body.message).toBe('Successfully retrieved comment details.');
    expect(reply.body.data.comment).toMatchObject({ id: nested.id, parentId: answer.id });
    expect((await call('GET', `/discussions/${id}/comments/${nested.id}`)).status).toBe(401);
  });

  it('pages a forum of 25 comments by ten, oldest or newest first', async () => {
    const { id } = await forum();
    const ani = await academy.learner();
    for (let n = 1; n <= 25; n++) await post(id, ani.token, `comment ${n}`);
    const contents = async (query: string) => {
      const res = await call('GET', `/discussions/${id}/comments?${query}`, ani.token);
      expect(res.status).toBe(200);
      return {
        contents: res.body.data.comments.map((c: { content: string }) => c.content),
        page: res.body.pagination,
      };
    };
    const third = await contents('page=3');
    expect(third.contents).toEqual(['comment 21', 'comment 22', 'comment 23', 'comment 24', 'comment 25']);
    expect(third.page).toEqual({
      currentRecords: 5,
      totalRecords: 25,
      currentPage: 3,
      totalPages: 3,
      nextPage: null,
      prevPage: 2,
    });
    expect((await contents('page=1&order=newest')).contents.slice(0, 2)).toEqual([
      'comment 25',
      'comment 24',
    ]);
    expect((await contents('page=3&order=newest')).contents).toEqual([
      'comment 5',
      'comment 4',
      'comment 3',
      'comment 2',
      'comment 1',
    ]);
    expect(await contents('page=4')).toEqual({
      contents: [],
      page: expect.objectContaining({ currentRecords: 0, nextPage: null, prevPage: 3 }),
    });
  });

  it('parallel posts to one forum and one comment each get their own place, none lost', async () => {
    const { id } = await forum();
    const learners = await Promise.all([1, 2, 3, 4].map(() => academy.learner()));
    const parent = await post(id, learners[0].token, 'root');
    const posts = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        call('POST', `/discussions/${id}/comments`, learners[n % 4].token, { content: `c${n}` }),
      ),
    );
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        call('POST', `/discussions/${id}/comments/${parent.id}/reply`, learners[n % 4].token, {
          content: `r${n}`,
        }),
      ),
    );
    expect([...posts, ...replies].map((r) => r.status)).toEqual(Array(40).fill(201));
    const all = await call('GET', `/discussions/${id}/comments?limit=100`, learners[1].token);
    expect(all.body.pagination.totalRecords).toBe(21);
    expect(all.body.data.comments).toHaveLength(21);
    const threaded = await call(
      'GET',
      `/discussions/${id}/comments?parentId=${parent.id}&limit=100`,
      learners[2].token,
    );
    expect(threaded.body.data.comments).toHaveLength(20);
    const positions = await academy
      .api()
      .db('academy.discussion_comments')
      .where({ discussion_id: id })
      .orderBy('position')
      .select('parent_id', 'position');
    expect(positions.filter((p) => p.parent_id === null).map((p) => p.position)).toEqual(
      Array.from({ length: 21 }, (_, n) => n + 1),
    );
    expect(positions.filter((p) => p.parent_id !== null).map((p) => p.position)).toEqual(
      Array.from({ length: 20 }, (_, n) => n + 1),
    );
  });

  it('refuses an over-long or empty comment naming content, and stores nothing', async () => {
    const { id } = await forum();
    const ani = await academy.learner();
    const parent = await post(id, ani.token, 'root');
    const long = await call('POST', `/discussions/${id}/comments`, ani.token, { content: 'x'.repeat(5001) });
    expect(long.status).toBe(400);
    expect(long.body).toEqual(refused('content', 'invalid_request'));
    expect(long.body.message).toBe('content: must be at most 5000 characters');
    const longReply = await call('POST', `/discussions/${id}/comments/${parent.id}/reply`, ani.token, {
      content: 'x'.repeat(5001),
    });
    expect(longReply.body).toEqual(refused('content', 'invalid_request'));
    const blank = await call('POST', `/discussions/${id}/comments`, ani.token, { content: '   ' });
    expect(blank.body.message).toBe('content: must not be empty');
    const edit = await call('PATCH', `/discussions/${id}/comments/${parent.id}`, ani.token, {
      content: 'y'.repeat(5001),
    });
    expect(edit.body).toEqual(refused('content', 'invalid_request'));
    expect(
      await call('POST', `/discussions/${id}/comments`, ani.token, { content: 'x'.repeat(5000) }),
    ).toMatchObject({
      status: 201,
    });
    const rows = await academy.api().db('academy.discussion_comments').where({ discussion_id: id });
    expect(rows.map((r) => r.content.length).sort()).toEqual([4, 5000]);
    expect((await call('GET', `/discussions/${id}`, ani.token)).body.data.discussion.commentCount).toBe(2);
  });

  it('answers 404 for a forum or comment that does not exist, or a comment of another forum', async () => {
    const a = await forum();
    const b = await forum();
    const ani = await academy.learner();
    const inA = await post(a.id, ani.token, 'in A');
    for (const [method, path, body] of [
      ['GET', `/discussions/${b.id}/comments/${inA.id}`],
      ['PATCH', `/discussions/${b.id}/comments/${inA.id}`, { content: 'x' }],
      ['DELETE', `/discussions/${b.id}/comments/${inA.id}`],
      ['POST', `/discussions/${b.id}/comments/${inA.id}/reply`, { content: 'x' }],
      ['POST', `/discussions/${b.id}/comments/${inA.id}/like`],
      ['POST', `/discussions/${b.id}/comments/${inA.id}/unlike`],
      ['GET', `/discussions/${b.id}/comments?parentId=${inA.id}`],
      ['GET', `/discussions/2147483647/comments`],
      ['POST', `/discussions/2147483647/comments`, { content: 'x' }],
      ['GET', `/discussions/${a.id}/comments/2147483647`],
    ] as const) {
      const res = await call(method, path, ani.token, body);
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(res.body).toEqual(refused(null, 'not_found'));
    }
  });

  it("a deleted account's comments stay, no longer naming it; a parentId that is not an integer is 400", async () => {
    const { id } = await forum();
    const ani = await academy.learner();
    const budi = await academy.learner();
    const c = await post(id, ani.token, 'sampai jumpa');
    expect((await call('DELETE', `/users/${ani.id}`, ani.token)).status).toBe(200);
    const seen = await call('GET', `/discussions/${id}/comments/${c.id}`, budi.token);
    expect(seen.body.data.comment).toMatchObject({ content: 'sampai jumpa', author: null });
    const bad = await call('GET', `/discussions/${id}/comments?parentId=abc`, budi.token);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(refused('parentId', 'invalid_request'));
  });
});

describe('academy comments: edit and delete', () => {
  it('the author edits their comment; another learner, or an admin, may not edit it', async () => {
    const { id, admin } = await forum();
    const ani = await academy.learner();
    const budi = await academy.learner();
    const mine = await post(id, ani.token, 'typo');
    for (const other of [budi, admin]) {
      const res = await call('PATCH', `/discussions/${id}/comments/${mine.id}`, other.token, {
        content: 'hacked',
      });
      expect(res.status).toBe(403);
      expect(res.body).toEqual(refused(null, 'forbidden'));
    }
    const edited = await call('PATCH', `/discussions/${id}/comments/${mine.id}`, ani.token, {
      content: 'fixed',
    });
    expect(edited.status).toBe(200);
    expect(edited.body.message).toBe('Successfully updated a comment.');
    expect(edited.body.data.comment).toMatchObject({ content: 'fixed', editedAt: expect.any(String) });
  });

  it('the author or an admin deletes; the placeholder keeps its replies and refuses every change', async () => {
    const { id, admin } = await forum();
    const ani = await academy.learner();
    const budi = await academy.learner();
    const first = await post(id, ani.token, 'first');
    const reply = await post(id, budi.token, 'a reply', first.id);
    const second = await post(id, budi.token, 'second');

    expect((await call('DELETE', `/discussions/${id}/comments/${first.id}`, budi.token)).status).toBe(403);
    const deleted = await call('DELETE', `/discussions/${id}/comments/${first.id}`, ani.token);
    expect(deleted.body).toEqual({
      success: true,
      statusCode: 200,
      message: 'Successfully deleted a comment.',
      data: null,
      errors: null,
    });
    const byAdmin = await call('DELETE', `/discussions/${id}/comments/${second.id}`, admin.token);
    expect(byAdmin.status).toBe(200);
    const trail = await academy
      .api()
      .db('platform.audit_log')
      .where({ product: 'academy', action: 'discussions.comments.delete' })
      .whereIn('target', [`comment:${first.id}`, `comment:${second.id}`]);
    // The admin's moderation leaves a trace; the author deleting their own does not.
    expect(trail).toEqual([expect.objectContaining({ actor: admin.email, target: `comment:${second.id}` })]);

    const list = await call('GET', `/discussions/${id}/comments`, budi.token);
    expect(list.body.data.comments).toEqual([
      expect.objectContaining({ id: first.id, content: null, isDeleted: true, replyCount: 1 }),
      expect.objectContaining({ id: second.id, content: null, isDeleted: true }),
    ]);
    const replies = await call('GET', `/discussions/${id}/comments?parentId=${first.id}`, budi.token);
    expect(replies.body.data.comments).toEqual([
      expect.objectContaining({ id: reply.id, content: 'a reply' }),
    ]);

    for (const [method, path, body] of [
      ['POST', `/discussions/${id}/comments/${first.id}/like`],
      ['POST', `/discussions/${id}/comments/${first.id}/unlike`],
      ['POST', `/discussions/${id}/comments/${first.id}/reply`, { content: 'late' }],
      ['PATCH', `/discussions/${id}/comments/${first.id}`, { content: 'back' }],
      ['DELETE', `/discussions/${id}/comments/${first.id}`],
    ] as const) {
      const res = await call(method, path, ani.token, body);
      expect([method, path, res.status]).toEqual([method, path, 409]);
      expect(res.body).toEqual(refused('commentId', 'conflict'));
      expect(res.body.message).toBe(`commentId: comment ${first.id} was deleted`);
    }
    const likes = await academy.api().db('academy.discussion_comment_likes').where({ comment_id: first.id });
    expect(likes).toEqual([]);
  });
});

describe('academy likes', () => {
  it('liking twice counts once; unliking takes it back once; the answer carries the count', async () => {
    const { id } = await forum();
    const ani = await academy.learner();
    const budi = await academy.learner();
    const c = await post(id, ani.token, 'like me');
    const like = () => call('POST', `/discussions/${id}/comments/${c.id}/like`, budi.token);
    const first = await like();
    expect(first.status).toBe(200);
    expect(first.body.message).toBe('Successfully liked a comment.');
    expect(first.body.data.comment).toMatchObject({ id: c.id, likeCount: 1, likedByMe: true });
    expect((await like()).body.data.comment).toMatchObject({ likeCount: 1, likedByMe: true });
    const byAni = await call('POST', `/discussions/${id}/comments/${c.id}/like`, ani.token);
    expect(byAni.body.data.comment).toMatchObject({ likeCount: 2, likedByMe: true });

    const unlike = () => call('POST', `/discussions/${id}/comments/${c.id}/unlike`, budi.token);
    const undone = await unlike();
    expect(undone.body.message).toBe('Successfully unliked a comment.');
    expect(undone.body.data.comment).toMatchObject({ likeCount: 1, likedByMe: false });
    expect((await unlike()).body.data.comment).toMatchObject({ likeCount: 1, likedByMe: false });
    const seen = await call('GET', `/discussions/${id}/comments/${c.id}`, ani.token);
    expect(seen.body.data.comment).toMatchObject({ likeCount: 1, likedByMe: true });
  });

  it('twenty parallel likes of one learner count once; parallel likes of five learners count five', async () => {
    const { id } = await forum();
    const ani = await academy.learner();
    const c = await post(id, ani.token, 'popular');
    const same = await Promise.all(
      Array.from({ length: 20 }, () => call('POST', `/discussions/${id}/comments/${c.id}/like`, ani.token)),
    );
    expect(same.map((r) => r.status)).toEqual(Array(20).fill(200));
    expect(Math.max(...same.map((r) => r.body.data.comment.likeCount))).toBe(1);

    const five = await Promise.all([1, 2, 3, 4, 5].map(() => academy.learner()));
    const many = await Promise.all(
      five.flatMap((l) =>
        [1, 2].map(() => call('POST', `/discussions/${id}/comments/${c.id}/like`, l.token)),
      ),
    );
    expect(many.map((r) => r.status)).toEqual(Array(10).fill(200));
    const after = await call('GET', `/discussions/${id}/comments/${c.id}`, ani.token);
    expect(after.body.data.comment.likeCount).toBe(6);
    const rows = await academy.api().db('academy.discussion_comment_likes').where({ comment_id: c.id });
    expect(rows).toHaveLength(6);

    const unlikes = await Promise.all(
      Array.from({ length: 10 }, () => call('POST', `/discussions/${id}/comments/${c.id}/unlike`, ani.token)),
    );
    expect(unlikes.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(
      (await call('GET', `/discussions/${id}/comments/${c.id}`, ani.token)).body.data.comment.likeCount,
    ).toBe(5);
  });
});

describe('academy discussions in the OpenAPI document', () => {
  it('lists the 13 routes, admin-only where forums change', async () => {
    const doc = (await academy.api().request('GET', '/openapi/academy.json')).body;
    const served = Object.entries(doc.paths as Record<string, Record<string, { 'x-auth': string }>>)
      .filter(([path]) => path.startsWith('/api/v1/discussions'))
      .flatMap(([path, ops]) =>
        Object.entries(ops).map(([method, op]) => `${method} ${path} ${op['x-auth']}`),
      );
    const base = '/api/v1/discussions';
    const comment = `${base}/{discussionId}/comments/{commentId}`;
    expect(served.sort()).toEqual(
      [
        `get ${base} user`,
        `post ${base} admin`,
        `get ${base}/{discussionId} user`,
        `patch ${base}/{discussionId} admin`,
        `delete ${base}/{discussionId} admin`,
        `get ${base}/{discussionId}/comments user`,
        `post ${base}/{discussionId}/comments user`,
        `get ${comment} user`,
        `patch ${comment} user`,
        `delete ${comment} user`,
        `post ${comment}/reply user`,
        `post ${comment}/like user`,
        `post ${comment}/unlike user`,
      ].sort(),
    );
  });
});
