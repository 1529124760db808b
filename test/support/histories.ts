import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestApi } from './api';

/**
 * With RECORD_HISTORIES=1, saves a finished workflow's history under test/histories/ so the
 * replay test can prove later code still replays it (commit the files you record).
 */
export async function saveHistory(api: TestApi, workflowId: string, name: string): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const client = await api.temporal.client();
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const file = path.resolve(__dirname, '../histories', `${name}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, historyToJSON(history));
}
