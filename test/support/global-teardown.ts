import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { stopProcess } from './processes';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>).__DERMAGA__ as
    { stack: { stop(): Promise<void> }; worker: ChildProcess; dataDir: string } | undefined;
  if (!state) return;
  await stopProcess(state.worker);
  await state.stack.stop();
  if (!process.env.KEEP_TEST_DATA) rmSync(state.dataDir, { recursive: true, force: true });
}
