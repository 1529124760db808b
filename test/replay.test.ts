import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { quietTemporal } from './support/quiet-temporal';

const dir = path.resolve(__dirname, 'histories');
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json'));

/** Every workflow the worker runs must have at least one recorded history. */
const WORKFLOWS = [
  'panel/provision-site',
  'panel/delete-site',
  'panel/provision-site-undone',
  'panel/provision-php-site',
  'panel/delete-php-site',
  'panel/issue-certificate',
  'panel/issue-certificate-failed',
  'panel/renew-certificates',
  'panel/run-backup',
  'panel/restore-backup',
  'gpu-lab/create-container',
  'gpu-lab/create-container-undone',
  'gpu-lab/delete-container',
  'gpu-lab/reset-container',
  'gpu-lab/container-lease-removed',
  'gpu-lab/container-lease-resumed',
  'gpu-lab/read-from-host',
  'gpu-lab/read-gpu-topology',
  'billing/subscription-canceled',
  'billing/invoice-collection-dunned',
  'platform/reconcile-workflow-starts',
];

describe('recorded workflow histories replay against the current workflow code', () => {
  beforeAll(quietTemporal);

  it('has a history for every workflow', () => {
    for (const name of WORKFLOWS) expect(files).toContain(`${name}.json`);
  });

  it.each(files)('%s replays without non-determinism', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
    await Worker.runReplayHistory({ workflowsPath: require.resolve('../workflows') }, history, file);
  });
});
