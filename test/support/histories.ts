import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { findTemporalCli } from '../../scripts/stack/temporal';
import type { TestApi } from './api';

const run = promisify(execFile);

/**
 * With RECORD_HISTORIES=1, saves a finished workflow's history (as `temporal workflow show`
 * prints it) under test/histories/, for the replay test. Commit the files you record.
 */
export async function saveHistory(
  api: Pick<TestApi, 'config'>,
  workflowId: string,
  name: string,
): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const cli = await findTemporalCli();
  if (!cli) throw new Error('recording histories needs the Temporal CLI');
  const { stdout } = await run(
    cli,
    [
      'workflow',
      'show',
      '--workflow-id',
      workflowId,
      '--address',
      api.config.TEMPORAL_ADDRESS,
      // A test whose workflows run in a namespace of its own (test/support/worker-kill.ts) records from there.
      '--namespace',
      api.config.TEMPORAL_NAMESPACE,
      '--output',
      'json',
    ],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const file = path.resolve(__dirname, '../histories', `${name}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, stdout);
}
