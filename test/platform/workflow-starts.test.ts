import { newId } from '../../core/ids';
import { CONTROL_QUEUE } from '../../core/temporal';
import { startPendingWorkflows } from '../../core/workflow-starts';
import { eventually, startApi, type TestApi } from '../support/api';
import { saveHistory } from '../support/histories';

// The outbox's reconciler on its own: never a second run of a start whose run exists, a new run
// when the id's earlier run was someone else's and has ended. The workflow started is the
// reconciler's own (it takes no arguments and ends at once).
let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

async function runsOf(workflowId: string) {
  const client = await api.temporal.client();
  const runs: string[] = [];
  for await (const w of client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(w.runId);
  return runs;
}

/** A recorded start of `workflowId`, a minute old (past any grace), not marked started. */
async function recorded(workflowId: string, id = newId('wfs')) {
  await api.db('platform.workflow_starts').insert({
    id,
    workflow_id: workflowId,
    workflow_type: 'reconcileWorkflowStarts',
    task_queue: CONTROL_QUEUE,
    args: '[]',
    created_at: new Date(Date.now() - 60_000),
  });
  return id;
}
const startedAt = async (id: string) =>
  (await api.db('platform.workflow_starts').where({ id }).first()).started_at;

describe('the reconciler of recorded workflow starts', () => {
  it('does not run again a start whose run exists (it ran, its marking was lost)', async () => {
    const workflowId = `test-outbox-${newId('w')}`;
    const id = newId('wfs');
    const client = await api.temporal.client();
    await client.workflow.execute('reconcileWorkflowStarts', {
      workflowId,
      taskQueue: CONTROL_QUEUE,
      memo: { workflowStart: id },
    });
    await recorded(workflowId, id);
    await startPendingWorkflows(api.db, api.temporal, { graceMs: 0 });
    await eventually(
      async () => ((await startedAt(id)) ? true : undefined),
      30_000,
      'the start to be marked',
    );
    expect(await runsOf(workflowId)).toHaveLength(1);
    await saveHistory(api, workflowId, 'platform/reconcile-workflow-starts');
  });

  it("starts a new run when the id's earlier run was another's and has ended (a second delete after a failed one)", async () => {
    const workflowId = `test-outbox-${newId('w')}`;
    const client = await api.temporal.client();
    await client.workflow.execute('reconcileWorkflowStarts', {
      workflowId,
      taskQueue: CONTROL_QUEUE,
      memo: { workflowStart: 'an earlier one' },
    });
    const id = await recorded(workflowId);
    await startPendingWorkflows(api.db, api.temporal, { graceMs: 0 });
    await eventually(
      async () => ((await startedAt(id)) ? true : undefined),
      30_000,
      'the start to be marked',
    );
    expect(await runsOf(workflowId)).toHaveLength(2);
    const latest = await client.workflow.getHandle(workflowId).describe();
    expect(latest.memo).toEqual({ workflowStart: id });
  });

  it('marks without starting a start whose job has left queued (its workflow ran)', async () => {
    const workflowId = `test-outbox-${newId('w')}`;
    const jobId = newId('job');
    await api.db('platform.jobs').insert({
      id: jobId,
      product: 'panel',
      type: 'test',
      status: 'succeeded',
      target_type: 'test',
      target_id: 'x',
      workflow_id: workflowId,
    });
    const id = await recorded(workflowId);
    await api.db('platform.workflow_starts').where({ id }).update({ job_id: jobId });
    await startPendingWorkflows(api.db, api.temporal, { graceMs: 0 });
    await eventually(
      async () => ((await startedAt(id)) ? true : undefined),
      30_000,
      'the start to be marked',
    );
    expect(await runsOf(workflowId)).toEqual([]);
  });
});
