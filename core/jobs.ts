import type { Knex } from 'knex';
import { Model } from 'objection';
import { newId } from './ids';
import type { Temporal } from './temporal';
import {
  dispatchStart,
  recordedStartOf,
  recordStart,
  type RecordedStart,
  type WorkflowStart,
} from './workflow-starts';

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';
export interface JobStep {
  name: string;
  status: 'running' | 'succeeded' | 'failed';
  started_at: string;
  finished_at?: string;
}

/** A long operation as users see it: one row per workflow run, kept current by its activities. */
export class Job extends Model {
  static override tableName = 'platform.jobs';
  static override jsonAttributes = ['steps'];
  id!: string;
  product!: string;
  type!: string;
  status!: JobStatus;
  target_type!: string;
  target_id!: string;
  steps!: JobStep[];
  error!: string | null;
  workflow_id!: string;
  actor!: string | null;
  created_at!: Date;
  started_at!: Date | null;
  finished_at!: Date | null;
}

export interface NewJob {
  product: string;
  type: string;
  target: { type: string; id: string };
  workflowId: string;
  actor: string | null;
}

/** Inserts the job row inside the caller's transaction, before its workflow starts. */
export async function createJob(trx: Knex.Transaction, job: NewJob): Promise<Job> {
  return Job.query(trx).insertAndFetch({
    id: newId('job'),
    product: job.product,
    type: job.type,
    status: 'queued',
    target_type: job.target.type,
    target_id: job.target.id,
    steps: [],
    workflow_id: job.workflowId,
    actor: job.actor,
  });
}

const recorded = new WeakMap<Job, RecordedStart>();

/** A job's workflow start: its search attributes are the job's product and target, and `owner` (default: the job's actor). */
export type JobWorkflowStart = WorkflowStart extends infer S
  ? S extends WorkflowStart
    ? Omit<S, 'searchAttributes'> & { owner?: string }
    : never
  : never;

/**
 * Records, in the job's transaction, what workflow the job runs (the outbox, core/workflow-starts.ts):
 * committed with the job, so a crash before startJobWorkflow still has it started by the reconciler.
 */
export async function recordJobStart(
  trx: Knex.Transaction,
  job: Job,
  start: JobWorkflowStart,
): Promise<void> {
  const { owner, ...rest } = start;
  const searchAttributes = {
    product: job.product,
    owner: owner ?? job.actor ?? 'system',
    resource: job.target_id,
  };
  // The spread keeps each start's own workflowType/args pair (checked at the caller), which TS cannot follow.
  recorded.set(
    job,
    await recordStart(trx, job.workflow_id, { ...rest, searchAttributes } as WorkflowStart, job.id),
  );
}

/**
 * Starts the job's recorded workflow, after the commit. Starting one that already runs is a no-op
 * (the work never runs twice). If Temporal cannot be reached the job stays queued, its start
 * recorded, and the caller gets a 503 naming Temporal whose message ends with `consequence`
 * (say what was recorded and that it starts once Temporal answers): the reconciler starts it.
 */
export async function startJobWorkflow(
  db: Knex,
  temporal: Temporal,
  job: Job,
  consequence?: string,
): Promise<void> {
  const start = recorded.get(job) ?? (await recordedStartOf(db, job.id));
  if (!start)
    throw new Error(`job ${job.id} has no recorded workflow start (recordJobStart in its transaction)`);
  await dispatchStart(
    db,
    temporal,
    start,
    job.type,
    consequence ??
      `job ${job.id} is recorded and its workflow starts once Temporal answers; do not repeat the request`,
  );
}

/** The link an operator opens to watch the job's execution in the Temporal UI. */
export const temporalUiLink = (uiUrl: string, namespace: string, workflowId: string) =>
  `${uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;

/**
 * Closes the job's running step as `close` says and, when `step` is given, appends it as running;
 * marks the job running on its first step. Repeating a call is a no-op, so the activity may retry.
 */
export async function recordStep(
  db: Knex,
  jobId: string,
  step: string | undefined,
  close: 'succeeded' | 'failed',
): Promise<void> {
  await db.transaction(async (trx) => {
    const job = await Job.query(trx).findById(jobId).forUpdate();
    if (!job || job.finished_at) return;
    const last = job.steps[job.steps.length - 1];
    if (step ? last?.name === step && last.status === 'running' : last?.status !== 'running') return;
    const now = new Date().toISOString();
    const steps = job.steps.map((s) =>
      s.status === 'running' ? { ...s, status: close, finished_at: now } : s,
    );
    if (step) steps.push({ name: step, status: 'running', started_at: now });
    await Job.query(trx)
      .patch({ steps, status: 'running', started_at: job.started_at ?? new Date() })
      .where({ id: jobId });
  });
}

/** Ends the job: its running step succeeds or fails with it. Use the caller's transaction. */
export async function finishJob(
  trx: Knex.Transaction,
  jobId: string,
  outcome: { status: 'succeeded' | 'failed'; error?: string },
): Promise<void> {
  const job = await Job.query(trx).findById(jobId).forUpdate();
  if (!job || job.finished_at) return;
  const now = new Date().toISOString();
  const stepStatus = outcome.status === 'succeeded' ? 'succeeded' : 'failed';
  const steps = job.steps.map((s) =>
    s.status === 'running' ? { ...s, status: stepStatus as JobStep['status'], finished_at: now } : s,
  );
  await Job.query(trx)
    .patch({
      steps,
      status: outcome.status,
      error: outcome.error ?? null,
      finished_at: new Date(),
      started_at: job.started_at ?? new Date(),
    })
    .where({ id: jobId });
}
