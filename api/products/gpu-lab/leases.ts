import type { Config } from '../../../core/config';
import { CONTROL_QUEUE, hostQueue, type Temporal } from '../../../core/temporal';
import type { LeaseInput } from '../../../workflows/gpu-lab/lease';

/**
 * Pays a container up to `endsAt`: signals its lease workflow (`gpu-lab-lease-<id>`) to move the
 * end, or starts one ending then if it has none (a container an admin made without a payment, now
 * paid for). Before the end the timers move; in the grace period the container starts again.
 */
export async function payLease(
  deps: { temporal: Temporal; config: Config },
  c: { id: string; name: string; workspace: string; host_id: string },
  endsAt: Date,
): Promise<void> {
  const input: LeaseInput = {
    containerId: c.id,
    name: c.name,
    workspace: c.workspace,
    hostQueue: hostQueue(c.host_id),
    endsAt: endsAt.toISOString(),
    warnBeforeMs: deps.config.GPULAB_LEASE_WARN_HOURS * 3_600_000,
    graceMs: deps.config.GPULAB_LEASE_GRACE_DAYS * 86_400_000,
  };
  const client = await deps.temporal.client();
  await client.workflow.signalWithStart('containerLease', {
    workflowId: `gpu-lab-lease-${c.id}`,
    taskQueue: CONTROL_QUEUE,
    args: [input],
    signal: 'extendLease', // extendLeaseSignal, by name: the API does not load workflow code
    signalArgs: [{ endsAt: input.endsAt }],
  });
}

/** The end of a paid period of `days` that follows what is already paid (or starts now). */
export const leaseEnd = (paidUntil: Date | string | null, days: number) => new Date(Math.max(paidUntil ? new Date(paidUntil).getTime() : 0, Date.now()) + days * 86_400_000);
