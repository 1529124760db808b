import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { academyAccount, academyCall } from '../../test/support/academy';
import {
  academyProgram,
  postXendit,
  xenditPayload,
  XENDIT_TOKEN,
} from '../../test/support/academy-enrollment';
import type { TestApi } from '../../test/support/api';
import { withBenchStack } from '../stack';
import { summary } from '../stats';

const ENROLLMENTS = Number(process.env.BENCH_ENROLLMENTS ?? 100);
const CERTIFICATES = Number(process.env.BENCH_CERTIFICATES ?? 50);
const LIST_ROWS = 10_000;

/** Polls `check` every 5 ms until it holds; the ms since `since`. */
async function until(check: () => Promise<boolean>, since: number, what: string): Promise<number> {
  const deadline = Date.now() + 120_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - since;
}

/**
 * Enrollments one at a time: POST → answer (the rows, the invoice and the workflow's start), then a
 * signed Xendit callback → the workflow has the enrollment In Progress; then, for `CERTIFICATES` of
 * them with a one-module program, the module's completion → the certificate stored and mailed.
 */
async function measureEnrollments(api: TestApi): Promise<string[]> {
  const call = academyCall(api);
  const learner = await academyAccount(api, 'User', 'bench');
  const enrolled: {
    enrollment: { id: number };
    invoice: Parameters<typeof xenditPayload>[0];
    moduleId: number;
  }[] = [];
  const answers: number[] = [];
  for (let i = 0; i < ENROLLMENTS; i++) {
    const program = await academyProgram(api, { modules: 1 });
    const t0 = performance.now();
    const r = await call('POST', `/users/${learner.id}/enrollments`, learner.token, {
      programId: program.id,
    });
    answers.push(performance.now() - t0);
    if (r.status !== 201) throw new Error(`enroll: ${r.status} ${r.text}`);
    enrolled.push({ ...r.body.data, moduleId: program.moduleIds[0] });
  }
  const opened: number[] = [];
  for (const { enrollment, invoice } of enrolled) {
    const t0 = performance.now();
    const r = await postXendit(api, xenditPayload(invoice));
    if (r.status !== 200) throw new Error(`callback: ${r.status} ${r.text}`);
    const row = () => api.db('academy.enrollments').where({ id: enrollment.id }).first('status');
    opened.push(await until(async () => (await row()).status === 'In Progress', t0, 'In Progress'));
  }
  const issued: number[] = [];
  for (const { enrollment, moduleId } of enrolled.slice(0, CERTIFICATES)) {
    const t0 = performance.now();
    const r = await call(
      'POST',
      `/users/${learner.id}/enrollments/${enrollment.id}/modules/${moduleId}/complete`,
      learner.token,
    );
    if (r.body.data?.enrollment?.status !== 'Completed') throw new Error(`complete: ${r.status} ${r.text}`);
    const mailed = () =>
      api
        .db('academy.certificates')
        .where({ enrollment_id: enrollment.id })
        .whereNotNull('mailed_at')
        .first('id');
    issued.push(await until(async () => Boolean(await mailed()), t0, 'the certificate'));
  }
  return [
    summary('enroll → answer', answers),
    summary('Xendit callback → In Progress', opened),
    summary('completion → certificate mailed', issued),
  ];
}

/** GET /api/v1/programs with 10,000 programs: a first and a deep page, 200 reads each. */
async function measureProgramPages(api: TestApi): Promise<string[]> {
  await api.db.raw(
    `insert into academy.programs (title, description, price_idr, status)
     select 'Bench program ' || g, 'bench', 100000, 'active' from generate_series(1, ?) g`,
    [LIST_ROWS],
  );
  const call = academyCall(api);
  const first = await call('GET', '/programs?page=1&limit=10');
  if (first.status !== 200)
    return [`GET /programs: not measured (answered ${first.status}; served by academy-api)`];
  const deepPage = Math.floor(first.body.pagination.totalPages * 0.99);
  const lines: string[] = [];
  for (const page of [1, deepPage]) {
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      const r = await call('GET', `/programs?page=${page}&limit=10`);
      times.push(performance.now() - t0);
      if (r.status !== 200) throw new Error(`programs page ${page}: ${r.status}`);
    }
    lines.push(summary(`GET /programs page ${page}`, times));
  }
  return lines;
}

/** `npm run bench academy`: enrollment, payment, certificate and list-page figures. */
export async function run(): Promise<void> {
  // The bench's worker mails certificates as .eml files into a temp dir; callbacks verify with a known token.
  process.env.ACADEMY_MAIL_DIR = mkdtempSync(path.join(os.tmpdir(), 'dermaga-bench-mail-'));
  process.env.ACADEMY_XENDIT_CALLBACK_TOKEN = XENDIT_TOKEN;
  await withBenchStack(async (api) => {
    const lines = [...(await measureEnrollments(api)), ...(await measureProgramPages(api))];
    console.log(
      `\nacademy (${ENROLLMENTS} enrollments, ${CERTIFICATES} certificates, ${LIST_ROWS} programs):`,
    );
    for (const line of lines) console.log(`  ${line}`);
  });
}
