import type { TestApi } from '../test/support/api';
import { withBenchStack } from './stack';
import { summary } from './stats';

const ROWS = Number(process.env.BENCH_ACADEMY_ROWS ?? 10_000);
const SAMPLES = Number(process.env.BENCH_ACADEMY_SAMPLES ?? 200);

async function timed(api: TestApi, path: string): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    const res = await api.request('GET', path);
    times.push(performance.now() - t0);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text}`);
  }
  return times;
}

/**
 * GET /academy/api/v1/programs over ROWS active programs: the first page and the last (deep) one,
 * 10 rows a page. Both walk the (status, id) index; the deep one only skips ids in it (a deferred
 * join) before reading its 10 rows, so the two should stay close.
 */
export async function measureProgramPages(api: TestApi): Promise<string[]> {
  await api.db.raw(
    `insert into academy.programs (title, description, price_idr)
     select 'Bench program ' || n, 'Bench', 100000 + n from generate_series(1, ?) as n`,
    [ROWS],
  );
  await api.db.raw('vacuum analyze academy.programs');
  const last = Math.ceil(ROWS / 10);
  const check = await api.request('GET', `/academy/api/v1/programs?page=${last}&limit=10`);
  if (check.body.pagination.totalRecords < ROWS) throw new Error('programs were not all listed');
  await timed(api, '/academy/api/v1/programs?page=1&limit=10'); // warm up
  return [
    summary(`programs page 1 of ${last}`, await timed(api, '/academy/api/v1/programs?page=1&limit=10')),
    summary(
      `programs page ${last} of ${last}`,
      await timed(api, `/academy/api/v1/programs?page=${last}&limit=10`),
    ),
  ];
}

/** `npm run bench academy-lists`: the deep-page figures alone. */
export async function run(): Promise<void> {
  await withBenchStack(async (api) => {
    for (const line of await measureProgramPages(api)) console.log(line);
  });
}
