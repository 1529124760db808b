import {
  condition,
  defineQuery,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
} from '@temporalio/workflow';
import type { ContainerHostActivities } from '../../activities/gpu-lab/container-host';
import type { ContainerRecordActivities } from '../../activities/gpu-lab/container-records';
import { controlActivity, hostActivity } from '../platform/options';
import { extendLeaseSignal } from './definitions';
import type { LeaseInput } from '../../types/gpu-lab';

export type { LeaseInput } from '../../types/gpu-lab';

const records = proxyLocalActivities<ContainerRecordActivities>(controlActivity);

export type LeasePhase = 'active' | 'warned' | 'expired' | 'removed';
export { extendLeaseSignal } from './definitions';
export const leaseQuery = defineQuery<{ endsAt: string; phase: LeasePhase }>('lease');

/**
 * A container's paid period as durable timers: warn `warnBeforeMs` before the end, stop it at the
 * end, keep it (and its workspace) for `graceMs`, then remove both. An approved payment signals
 * `extendLease` with the new end: before the end it moves the timers, in the grace period it
 * starts the container again. One workflow per container (`gpu-lab-lease-<containerId>`).
 */
export async function containerLease(input: LeaseInput): Promise<LeasePhase> {
  const host = proxyActivities<ContainerHostActivities>(hostActivity(input.hostQueue));
  let endsAt = Date.parse(input.endsAt);
  let phase: LeasePhase = 'active';
  let extendedTo: number | null = null;
  setHandler(extendLeaseSignal, ({ endsAt: next }) => {
    const t = Date.parse(next);
    if (t > Math.max(endsAt, extendedTo ?? 0)) extendedTo = t;
  });
  setHandler(leaseQuery, () => ({ endsAt: new Date(endsAt).toISOString(), phase }));
  const record = (kind: Parameters<ContainerRecordActivities['recordLeaseEvent']>[0]['kind']) =>
    records.recordLeaseEvent({
      containerId: input.containerId,
      kind,
      endsAt: new Date(endsAt).toISOString(),
    });
  /** Sleeps until `at` unless an extension arrives first; applies it and says so. */
  const waitUntil = async (at: number): Promise<boolean> => {
    const extended = await condition(() => extendedTo !== null, Math.max(0, at - Date.now()));
    if (extended) {
      endsAt = extendedTo as number;
      extendedTo = null;
      await record('extended');
    }
    return extended;
  };

  await record('started');
  for (;;) {
    if (phase === 'active' && !(await waitUntil(endsAt - input.warnBeforeMs))) {
      phase = 'warned';
      await record('warned');
    }
    if (phase === 'warned' && (await waitUntil(endsAt))) {
      phase = 'active';
      continue;
    }
    if (phase !== 'warned') continue;
    await host.stopLabContainer(input);
    phase = 'expired';
    await record('expired');
    if (await waitUntil(Date.now() + input.graceMs)) {
      await host.startLabContainer(input);
      phase = 'active';
      await record('resumed');
      continue;
    }
    await host.removeLabContainer(input);
    await host.removeWorkspace(input);
    phase = 'removed';
    await record('removed');
    return phase;
  }
}
