import { Context } from '@temporalio/activity';

/** How often a host activity tells Temporal it is alive: well inside `hostActivity`'s heartbeat timeout. */
export const HEARTBEAT_EVERY_MS = 1000;

/**
 * Runs `work` (an activity's body) and heartbeats every `everyMs` until it settles. A worker that
 * dies mid-step stops heartbeating, so Temporal retries the step after the heartbeat timeout (a few
 * seconds) rather than after the whole start-to-close timeout.
 */
export async function whileHeartbeating<T>(work: () => Promise<T>, everyMs = HEARTBEAT_EVERY_MS): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any activity's arguments: parameters are contravariant, so `unknown[]` would reject every activity with typed parameters
type Activities = Record<string, (...args: any[]) => Promise<unknown>>;

/** The same activities, each heartbeating while it runs (see `whileHeartbeating`). */
export function heartbeating<T extends Activities>(activities: T, everyMs = HEARTBEAT_EVERY_MS): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      (...args: unknown[]) => whileHeartbeating(() => fn(...args), everyMs),
    ]),
  ) as T;
}
