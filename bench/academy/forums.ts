import type { TestApi } from '../../test/support/api';
import { withBenchStack } from '../stack';
import { percentile, summary } from '../stats';

const COMMENTS = 10_000;
const LIMIT = 10;
const REQUESTS = 200;
const PASSWORD = 'Bench-Academy-Passw0rd!';

/** A learner of the bench's own, signed in through the API: id and access token. */
async function learner(api: TestApi) {
  const email = `bench-forums-${Date.now()}@example.com`;
  const reg = await api.request('POST', '/academy/api/v1/auth/register', {
    body: { fullName: 'Bench Learner', email, password: PASSWORD },
  });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${reg.text}`);
  const res = await api.request('POST', '/academy/api/v1/auth/login', {
    body: { email, password: PASSWORD },
  });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${res.text}`);
  return { id: reg.body.data.user.id as number, token: res.body.data.accessToken as string };
}

/** A forum with COMMENTS top-level comments, the last one with COMMENTS replies, written in bulk. */
async function seedForum(api: TestApi, userId: number) {
  const [forum] = await api
    .db('academy.discussions')
    .insert({ title: `Bench forum ${Date.now()}`, created_by: userId, comment_count: COMMENTS })
    .returning('id');
  await api.db.raw(
    `insert into academy.discussion_comments (discussion_id, position, user_id, content)
     select ?, g, ?, 'comment ' || g from generate_series(1, ?) g`,
    [forum.id, userId, COMMENTS],
  );
  const [parent] = await api
    .db('academy.discussion_comments')
    .where({ discussion_id: forum.id, position: COMMENTS })
    .whereNull('parent_id')
    .update({ reply_count: COMMENTS })
    .returning('id');
  await api.db.raw(
    `insert into academy.discussion_comments (discussion_id, parent_id, position, user_id, content)
     select ?, ?, g, ?, 'reply ' || g from generate_series(1, ?) g`,
    [forum.id, parent.id, userId, COMMENTS],
  );
  await api.db.raw('analyze academy.discussion_comments');
  return { forumId: forum.id as number, parentId: parent.id as number };
}

async function timePage(api: TestApi, token: string, path: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    const t0 = performance.now();
    const res = await api.request('GET', path, { token });
    times.push(performance.now() - t0);
    if (res.status !== 200 || res.body.data.comments.length !== LIMIT)
      throw new Error(`GET ${path}: ${res.status} ${res.text.slice(0, 200)}`);
  }
  return times;
}

/** The same page straight from SQL, by position and by OFFSET, to show what the position saves. */
async function timeSql(api: TestApi, forumId: number, page: number) {
  const byPosition: number[] = [];
  const byOffset: number[] = [];
  for (let i = 0; i < 50; i++) {
    let t0 = performance.now();
    await api.db.raw(
      `select * from academy.discussion_comments where discussion_id = ? and parent_id is null
       and position between ? and ? order by position`,
      [forumId, (page - 1) * LIMIT + 1, page * LIMIT],
    );
    byPosition.push(performance.now() - t0);
    t0 = performance.now();
    await api.db.raw(
      `select * from academy.discussion_comments where discussion_id = ? and parent_id is null
       order by position limit ? offset ?`,
      [forumId, LIMIT, (page - 1) * LIMIT],
    );
    byOffset.push(performance.now() - t0);
  }
  return { byPosition, byOffset };
}

/**
 * A forum's comments at 10,000 rows: GET .../comments latency on the first, a middle and the last
 * page (and the replies of one comment with 10,000 replies), with 10 per page. Deep pages stay
 * flat because a page is a range of the (forum, position) index, not an OFFSET.
 */
export async function forumPages(api: TestApi): Promise<void> {
  const me = await learner(api);
  const { forumId, parentId } = await seedForum(api, me.id);
  const base = `/academy/api/v1/discussions/${forumId}/comments`;
  const last = COMMENTS / LIMIT;
  console.log(
    `\nGET a forum's comments, ${COMMENTS} top-level comments, ${LIMIT} a page, ${REQUESTS} requests each:`,
  );
  for (const [label, path] of [
    ['page 1', `${base}?page=1&limit=${LIMIT}`],
    [`page ${last / 2}`, `${base}?page=${last / 2}&limit=${LIMIT}`],
    [`page ${last} (last)`, `${base}?page=${last}&limit=${LIMIT}`],
    [`page ${last}, newest first`, `${base}?page=${last}&limit=${LIMIT}&order=newest`],
    [`replies, page ${last}`, `${base}?parentId=${parentId}&page=${last}&limit=${LIMIT}`],
  ] as const)
    console.log(summary(label, await timePage(api, me.token, path)));
  console.log(`\nthe same pages in SQL alone (50 each), by position range vs OFFSET:`);
  for (const page of [1, last]) {
    const { byPosition, byOffset } = await timeSql(api, forumId, page);
    console.log(
      `page ${String(page).padEnd(5)} position median ${percentile(byPosition, 50).toFixed(2)} ms, p99 ${percentile(byPosition, 99).toFixed(2)} ms;` +
        ` offset median ${percentile(byOffset, 50).toFixed(2)} ms, p99 ${percentile(byOffset, 99).toFixed(2)} ms`,
    );
  }
}

/** `npm run bench academy-forums`: forumPages on a throwaway stack. */
export const run = () => withBenchStack((api) => forumPages(api));
