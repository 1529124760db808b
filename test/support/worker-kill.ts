import { temporal as proto } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_KEYS } from '../../core/search-attributes';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { eventually } from './api';
import { spawnTs, stopProcess, waitForLine } from './processes';

/**
 * Worker processes a test starts, kills with SIGKILL, and replaces: `test/support/slow-host-worker.ts`
 * (announces each activity, may pause around it) or the real `worker/index.ts`.
 */
export function killableWorkers(logName: string) {
  const children: ChildProcess[] = [];
  return {
    /** Starts a worker process and resolves once it polls. */
    async start(entry: string, env: Record<string, string>) {
      const log = path.join(process.env.TEST_DATA_DIR ?? '/tmp', 'logs', `${logName}.log`);
      const child = spawnTs(entry, { LOG_LEVEL: 'info', ...env }, log);
      children.push(child);
      await waitForLine(child, /worker polling/, 90_000);
      return child;
    },
    /** SIGKILL, as a crash or the OOM killer would: no shutdown, no goodbye to Temporal. */
    async kill(child: ChildProcess) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
    /** Stops every worker still running (e.g. after each test, so the next test's workers alone poll). */
    stopAll: () => Promise.all(children.splice(0).map((c) => stopProcess(c))),
  };
}

/**
 * What a workflow's history says of its activities: each scheduled and completed activity's type in
 * order, and the attempt each completed one took.
 */
export async function activityRecord(client: Client, workflowId: string) {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const typeOf = new Map<string, string>();
  const scheduled: string[] = [];
  const completed: string[] = [];
  const attempts: Record<string, number> = {};
  for (const e of events) {
    if (e.activityTaskScheduledEventAttributes) {
      const name = e.activityTaskScheduledEventAttributes.activityType?.name ?? '';
      typeOf.set(String(e.eventId), name);
      scheduled.push(name);
    }
    if (e.activityTaskStartedEventAttributes)
      attempts[typeOf.get(String(e.activityTaskStartedEventAttributes.scheduledEventId)) ?? ''] =
        e.activityTaskStartedEventAttributes.attempt ?? 0;
    if (e.activityTaskCompletedEventAttributes)
      completed.push(typeOf.get(String(e.activityTaskCompletedEventAttributes.scheduledEventId)) ?? '');
  }
  return { scheduled, completed, attempts };
}

/**
 * A Temporal namespace of the calling test's own on the suite's dev server: workflows started there
 * run only on the workers the test starts for it (the suite's worker polls `default`), so a test can
 * kill the worker that runs them.
 */
export async function privateNamespace(client: Client, namespace: string): Promise<string> {
  await client.workflowService
    .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') })
    .catch((err: { code?: number }) => {
      if (err.code !== 6) throw err; // ALREADY_EXISTS
    });
  // The frontend learns of a new namespace on its next cache refresh.
  await eventually(
    () =>
      client.workflowService.countWorkflowExecutions({ namespace }).then(
        () => true,
        () => undefined,
      ),
    30_000,
    `namespace ${namespace} to be usable`,
  );
  // The dev server registers the search attributes in `default` only: a start carrying them is refused elsewhere.
  await client.connection.operatorService
    .addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        SEARCH_ATTRIBUTE_KEYS.map((k) => [
          k.name,
          proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        ]),
      ),
    })
    .catch((err: { code?: number }) => {
      if (err.code !== 6) throw err; // ALREADY_EXISTS
    });
  return namespace;
}
