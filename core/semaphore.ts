import { TooManyRequests } from './errors';

/**
 * Runs at most `concurrency` tasks at once; up to `queue` more wait their turn in order, and any
 * beyond that are refused at once (429, retry in a second) rather than waiting without bound.
 */
export function createSemaphore(initial: { concurrency: number; queue: number }, busyMessage: string) {
  const limits = { ...initial };
  let running = 0;
  const waiting: (() => void)[] = [];

  function release() {
    running--;
    const next = waiting.shift();
    if (next) {
      running++;
      next();
    }
  }

  return {
    /** Changes the limits (read on each call, so tasks already waiting keep their place). */
    configure(next: { concurrency: number; queue: number }) {
      Object.assign(limits, next);
    },
    /** With `alwaysWait`, a task waits however long the queue (work that cannot be retried later). */
    async run<T>(task: () => Promise<T>, opts: { alwaysWait?: boolean } = {}): Promise<T> {
      if (running < limits.concurrency) running++;
      else if (opts.alwaysWait || waiting.length < limits.queue)
        await new Promise<void>((resolve) => waiting.push(resolve));
      else throw new TooManyRequests(busyMessage, 1);
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
