import type { SignalDefinition } from '@temporalio/common';
import type { Knex } from 'knex';
import { WorkflowIdReusePolicy } from '@temporalio/client';
import { faultPoint } from './faults';
import type { Logger } from './logger';
import { newId } from './ids';
import { typedSearchAttributesOf, type WorkflowSearchAttributes } from './search-attributes';
import { workflowStarts } from './metrics';
import {
  TemporalUnavailable,
  WorkflowExecutionAlreadyStartedError,
  isTemporalUnreachable,
  type Temporal,
} from './temporal';

/**
 * Every workflow the worker runs, by the name Temporal knows it by (its export from workflows/index.ts).
 * A type-only import: no workflow code is loaded here, only the names and parameter types.
 */
export type Workflows = typeof import('../workflows');
export type WorkflowName = keyof Workflows;

/** What to start: a workflow, or (signal set) a signalWithStart. Checked against the workflow's own signature. */
export type WorkflowStart = {
  [N in WorkflowName]: {
    workflowType: N;
    taskQueue: string;
    /** Stored as JSON in platform.workflow_starts: a secret in them must already be sealed (core/secret-box.ts). */
    args: Parameters<Workflows[N]>;
    /** The signal's definition (its name is what is stored) and its arguments, typed by it. */
    signal?: SignalWith<unknown[]>;
    /** Set on the run (core/search-attributes.ts): which product, whose, on what. */
    searchAttributes: WorkflowSearchAttributes;
  };
}[WorkflowName];

/** A signal to send with a start: `signalWith(extendLeaseSignal, { endsAt })` checks the arguments against the definition. */
export interface SignalWith<A extends unknown[]> {
  name: string;
  args: A;
}
export const signalWith = <A extends unknown[]>(
  definition: SignalDefinition<A>,
  ...args: A
): SignalWith<A> => ({ name: definition.name, args });

/** A start as recorded: by name, its arguments as stored. */
export interface RecordedStart {
  workflowType: string;
  taskQueue: string;
  args: unknown[];
  signal?: { name: string; args: unknown[] };
  /** Absent on records made before search attributes were recorded. */
  searchAttributes: WorkflowSearchAttributes | null;
  id: string;
  workflowId: string;
  jobId: string | null;
}

interface Row {
  id: string;
  workflow_id: string;
  workflow_type: string;
  task_queue: string;
  args: unknown[];
  signal: string | null;
  signal_args: unknown[] | null;
  job_id: string | null;
  search_attributes: WorkflowSearchAttributes | null;
  attempts: number;
}

const TABLE = 'platform.workflow_starts';

/**
 * The outbox: records, in the caller's transaction, that `workflowId` must start. Once the
 * transaction commits, dispatchStart() starts it; if the process dies first, or Temporal cannot be
 * reached, the reconciler (startPendingWorkflows) starts it later. Either way it starts once.
 */
export async function recordStart(
  trx: Knex.Transaction,
  workflowId: string,
  start: WorkflowStart,
  jobId: string | null = null,
): Promise<RecordedStart> {
  const id = newId('wfs');
  await trx(TABLE).insert({
    id,
    workflow_id: workflowId,
    workflow_type: start.workflowType,
    task_queue: start.taskQueue,
    args: JSON.stringify(start.args),
    signal: start.signal?.name ?? null,
    signal_args: start.signal ? JSON.stringify(start.signal.args) : null,
    job_id: jobId,
    search_attributes: JSON.stringify(start.searchAttributes),
  });
  return { ...start, id, workflowId, jobId };
}

const fromRow = (r: Row): RecordedStart => ({
  id: r.id,
  workflowId: r.workflow_id,
  workflowType: r.workflow_type,
  taskQueue: r.task_queue,
  args: r.args,
  signal: r.signal ? { name: r.signal, args: r.signal_args ?? [] } : undefined,
  jobId: r.job_id,
  searchAttributes: r.search_attributes,
});

/** The job's recorded start not yet marked started, if any. */
export async function recordedStartOf(db: Knex, jobId: string): Promise<RecordedStart | undefined> {
  const row: Row | undefined = await db(TABLE).where({ job_id: jobId }).orderBy('created_at', 'desc').first();
  return row && fromRow(row);
}

type Outcome = 'started' | 'already_started';

/**
 * Starts a recorded start in Temporal, at most once however often it is called. The run carries
 * the record's id in its memo. REJECT_DUPLICATE refuses an id that ran before; then the existing run
 * is looked at: if it is this record's (a start whose marking was lost) or one still running (a
 * start that is a no-op, as before), nothing more happens; if it is an earlier, finished run that
 * reused the id (a second delete of the same site after a failed one), this record's run starts.
 */
async function launch(temporal: Temporal, s: RecordedStart, consequence: string): Promise<Outcome> {
  const options = {
    workflowId: s.workflowId,
    taskQueue: s.taskQueue,
    args: s.args,
    memo: { workflowStart: s.id },
    ...(s.searchAttributes && { typedSearchAttributes: typedSearchAttributesOf(s.searchAttributes) }),
  };
  const start = (workflowIdReusePolicy: WorkflowIdReusePolicy) =>
    temporal.call<unknown>(
      (c) =>
        s.signal
          ? c.workflow.signalWithStart(s.workflowType, {
              ...options,
              workflowIdReusePolicy,
              signal: s.signal.name,
              signalArgs: s.signal.args,
            })
          : c.workflow.start(s.workflowType, { ...options, workflowIdReusePolicy }),
      { consequence },
    );
  try {
    await start(WorkflowIdReusePolicy.REJECT_DUPLICATE);
    return 'started';
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  const existing = await temporal.call((c) => c.workflow.getHandle(s.workflowId).describe(), { consequence });
  if (existing.memo?.workflowStart === s.id || existing.status.name === 'RUNNING') return 'already_started';
  try {
    await start(WorkflowIdReusePolicy.ALLOW_DUPLICATE);
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already_started';
    throw err;
  }
}

const markStarted = (db: Knex, id: string) =>
  db(TABLE).where({ id }).whereNull('started_at').update({ started_at: db.fn.now(), last_error: null });

/**
 * Starts what the caller just committed (call it right after the commit) and marks it started.
 * Temporal unreachable: the record stays for the reconciler and this throws a TemporalUnavailable
 * (503) ending with `consequence`, which should tell the client the work is recorded and will start.
 */
export async function dispatchStart(
  db: Knex,
  temporal: Temporal,
  s: RecordedStart,
  name: string,
  consequence: string,
): Promise<void> {
  faultPoint('after-commit', name);
  let outcome: Outcome;
  try {
    outcome = await launch(temporal, s, consequence);
  } catch (err) {
    workflowStarts.inc({ workflow: s.workflowType, outcome: 'failed' });
    await db(TABLE)
      .where({ id: s.id })
      .increment('attempts', 1)
      .update({ last_error: String((err as Error).message).slice(0, 2000) });
    throw err;
  }
  workflowStarts.inc({ workflow: s.workflowType, outcome });
  await markStarted(db, s.id);
}

/**
 * Starts now the recorded, not yet started start of `workflowId`, if there is one (a signal that
 * finds no workflow because its start still waits in the outbox); false when there is none.
 */
export async function startRecordedNow(
  db: Knex,
  temporal: Temporal,
  workflowId: string,
  consequence: string,
): Promise<boolean> {
  const row: Row | undefined = await db(TABLE)
    .where({ workflow_id: workflowId })
    .whereNull('started_at')
    .orderBy('created_at', 'desc')
    .first();
  if (!row) return false;
  const outcome = await launch(temporal, fromRow(row), consequence);
  workflowStarts.inc({ workflow: row.workflow_type, outcome });
  await markStarted(db, row.id);
  return true;
}

export interface ReconcileResult {
  started: number;
  alreadyStarted: number;
  /** Records left for the next run (Temporal still unreachable, or a start that failed otherwise). */
  failed: number;
}

/**
 * The reconciler: starts every recorded start older than `graceMs` that is not marked started.
 * Rows are taken `for update skip locked`, so two processes running it at once never take the same
 * one. A record whose job has left `queued` has had its workflow run already: it is only marked.
 * Stops at the first sign that Temporal is unreachable (the rest wait for the next run).
 */
export async function startPendingWorkflows(
  db: Knex,
  temporal: Temporal,
  opts: { graceMs: number; batch?: number },
): Promise<ReconcileResult> {
  const result: ReconcileResult = { started: 0, alreadyStarted: 0, failed: 0 };
  const batch = opts.batch ?? 50;
  for (;;) {
    const failedBefore = result.failed;
    const { taken, unreachable } = await db.transaction(async (trx) => {
      const rows: (Row & { job_status: string | null })[] = await trx(`${TABLE} as s`)
        .leftJoin('platform.jobs as j', 'j.id', 's.job_id')
        .whereNull('s.started_at')
        .where('s.created_at', '<', trx.raw('now() - make_interval(secs => ?)', [opts.graceMs / 1000]))
        .orderBy('s.created_at')
        .limit(batch)
        .forUpdate('s')
        .skipLocked()
        .select('s.*', 'j.status as job_status');
      for (const row of rows) {
        if (row.job_status && row.job_status !== 'queued') {
          result.alreadyStarted++;
          await markStarted(trx, row.id);
          continue;
        }
        try {
          const outcome = await launch(temporal, fromRow(row), 'it is started once Temporal answers');
          workflowStarts.inc({ workflow: row.workflow_type, outcome: `reconciled_${outcome}` });
          result[outcome === 'started' ? 'started' : 'alreadyStarted']++;
          await markStarted(trx, row.id);
        } catch (err) {
          result.failed++;
          await trx(TABLE)
            .where({ id: row.id })
            .update({
              attempts: row.attempts + 1,
              last_error: String((err as Error).message).slice(0, 2000),
            });
          if (isTemporalUnreachable(err)) return { taken: rows.length, unreachable: true };
        }
      }
      return { taken: rows.length, unreachable: false };
    });
    if (unreachable)
      throw new TemporalUnavailable(`${result.failed} recorded workflow start(s) wait for the next run`);
    // A full batch that all started: there may be more. Failures wait for the next run.
    if (taken < batch || result.failed > failedBefore) return result;
  }
}

/** The reconciler once at a process's start; a failure (Temporal down) is logged and left to the Schedule. */
export async function reconcileAtStart(
  db: Knex,
  temporal: Temporal,
  config: { WORKFLOW_START_GRACE_SECONDS: number },
  logger: Logger,
): Promise<void> {
  try {
    const result = await startPendingWorkflows(db, temporal, {
      graceMs: config.WORKFLOW_START_GRACE_SECONDS * 1000,
    });
    if (result.started || result.alreadyStarted || result.failed)
      logger.info(result, 'recorded workflow starts reconciled');
  } catch (err) {
    logger.warn(
      { err: (err as Error).message },
      'recorded workflow starts not reconciled at start; the Schedule retries',
    );
  }
}
