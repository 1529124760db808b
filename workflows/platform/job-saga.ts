import { proxyActivities } from '@temporalio/workflow';
import type { JobActivities } from '../../activities/platform/jobs';
import { controlActivity } from './options';

const jobs = proxyActivities<JobActivities>(controlActivity);

/**
 * Runs a job's steps in order, recording each on the job row, and remembers how to undo them.
 * An undo is registered before its step runs, so a step that half-succeeded is undone too; undos
 * must therefore be no-ops when there is nothing to undo.
 */
export class JobSaga {
  private readonly undos: { step: string; undo: () => Promise<unknown> }[] = [];

  constructor(private readonly jobId: string) {}

  async step<T>(name: string, run: () => Promise<T>, undo?: () => Promise<unknown>): Promise<T> {
    if (undo) this.undos.unshift({ step: name, undo });
    await jobs.recordJobStep({ jobId: this.jobId, step: name });
    return run();
  }

  /** Runs the undos newest first; returns the ones that failed so the job can show them. */
  async compensate(): Promise<string[]> {
    const failed: string[] = [];
    for (const { step, undo } of this.undos) {
      await jobs.recordJobStep({ jobId: this.jobId, step: `undo ${step}` });
      try {
        await undo();
      } catch (err) {
        failed.push(`undo ${step}: ${causeMessage(err)}`);
      }
    }
    return failed;
  }
}

/** The innermost message of a (possibly wrapped) activity failure: what actually went wrong. */
export function causeMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}
