import { defineQuery, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import type { JobActivities } from '../../activities/platform/jobs';
import { controlActivity } from './options';

const jobs = proxyLocalActivities<JobActivities>(controlActivity);

/** What a job's workflow is doing, for the Temporal UI and clients that ask the workflow itself. */
export interface JobProgress {
  jobId: string;
  steps: string[];
  current: string | null;
  compensating: boolean;
}
export const progressQuery = defineQuery<JobProgress>('progress');

/**
 * Runs a job's steps in order, recording each on the job row, and remembers how to undo them.
 * An undo is registered before its step runs, so a step that half-succeeded is undone too; undos
 * must therefore be no-ops when there is nothing to undo.
 */
export class JobSaga {
  private readonly undos: { step: string; undo: () => Promise<unknown> }[] = [];
  private readonly progress: JobProgress;

  constructor(jobId: string) {
    this.progress = { jobId, steps: [], current: null, compensating: false };
    setHandler(progressQuery, () => this.progress);
  }

  private get jobId() {
    return this.progress.jobId;
  }

  async step<T>(name: string, run: () => Promise<T>, undo?: () => Promise<unknown>): Promise<T> {
    if (undo) this.undos.unshift({ step: name, undo });
    this.progress.steps.push(name);
    this.progress.current = name;
    await jobs.recordJobStep({ jobId: this.jobId, step: name });
    const result = await run();
    this.progress.current = null;
    return result;
  }

  /**
   * Runs the undos newest first, after closing the step that failed. Returns the undos that
   * failed, so the job can show them instead of hiding them in a log.
   */
  async compensate(): Promise<string[]> {
    const failed: string[] = [];
    let close: 'succeeded' | 'failed' = 'failed';
    this.progress.compensating = true;
    for (const { step, undo } of this.undos) {
      this.progress.steps.push(`undo ${step}`);
      this.progress.current = `undo ${step}`;
      await jobs.recordJobStep({ jobId: this.jobId, step: `undo ${step}`, close });
      try {
        await undo();
        close = 'succeeded';
      } catch (err) {
        failed.push(`undo ${step}: ${causeMessage(err)}`);
        close = 'failed';
      }
    }
    await jobs.recordJobStep({ jobId: this.jobId, close });
    this.progress.current = null;
    return failed;
  }
}

/** The innermost message of a (possibly wrapped) activity failure: what actually went wrong. */
export function causeMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}
