import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundle } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as workflows from '../workflows';
import { quietTemporal } from './support/quiet-temporal';

// Replay needs no server: this file runs in the unit tier (jest.config.js), no stack started.
const dir = path.resolve(__dirname, 'histories');
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json'))
  .sort();
const history = (file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
/** The workflow type a recorded history is of (its first event starts it). */
const typeOf = (file: string): string =>
  history(file).events[0].workflowExecutionStartedEventAttributes.workflowType.name;

/** Every workflow the worker runs: what workflows/index.ts exports (the file Temporal bundles). */
const WORKFLOWS = Object.entries(workflows)
  .filter(([, value]) => typeof value === 'function')
  .map(([name]) => name)
  .sort();
const recorded = new Map<string, string[]>();
for (const file of files) recorded.set(typeOf(file), [...(recorded.get(typeOf(file)) ?? []), file]);

/** The histories tests record (saveHistory(…, 'product/name')), read from the test files themselves. */
function historiesTestsRecord(): string[] {
  const root = path.resolve(__dirname);
  const names = new Set<string>();
  const tests = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter(
    (f) => f.endsWith('.test.ts') && f !== 'replay.test.ts',
  );
  for (const f of tests)
    for (const m of readFileSync(path.join(root, f), 'utf8').matchAll(
      /saveHistory\([^;]*?'([a-z-]+\/[a-z0-9-]+)',?\s*\)/g,
    ))
      names.add(`${m[1]}.json`);
  return [...names].sort();
}

describe('recorded workflow histories replay against the current workflow code', () => {
  let bundle: WorkflowBundle;
  beforeAll(async () => {
    quietTemporal();
    // One bundle for every replay (as the worker bundles workflows/index.ts once).
    bundle = await bundleWorkflowCode({
      workflowsPath: require.resolve('../workflows'),
      logger: new DefaultLogger('WARN'),
    });
  });

  it('finds the workflows in workflows/index.ts', () => {
    expect(WORKFLOWS.length).toBeGreaterThanOrEqual(12);
    expect(WORKFLOWS).toContain('provisionSite');
  });

  it.each(WORKFLOWS)('%s has a recorded history', (name) => {
    if (!recorded.has(name))
      throw new Error(
        `workflows/index.ts exports ${name}, but no history under test/histories/ is of it: ` +
          `record one in the test that runs it (saveHistory from test/support/histories.ts), ` +
          `then RECORD_HISTORIES=1 npx jest <that test>`,
      );
  });

  it('has no history of a workflow the worker no longer runs', () => {
    const unknown = files.filter((f) => !WORKFLOWS.includes(typeOf(f)));
    expect(unknown).toEqual([]);
  });

  it('has every history a test records, and none that no test records', () => {
    const wanted = historiesTestsRecord();
    expect({
      missing: wanted.filter((f) => !files.includes(f)),
      unrecorded: files.filter((f) => !wanted.includes(f)),
    }).toEqual({ missing: [], unrecorded: [] });
  });

  it.each(files)('%s replays without non-determinism', async (file) => {
    await Worker.runReplayHistory({ workflowBundle: bundle }, historyFromJSON(history(file)), file);
  });
});
