import type { Knex } from 'knex';
import type { Config } from '../../../core/config';
import { recordStart, signalWith, type WorkflowName, type Workflows } from '../../../core/workflow-starts';
import { extendLeaseSignal } from '../../../workflows/gpu-lab/definitions';
import { typedSearchAttributesOf } from '../../../core/search-attributes';
import { CONTROL_QUEUE, hostQueue, type Temporal } from '../../../core/temporal';
import type { LeaseInput } from '../../../types/gpu-lab';

/**
 * Pays a container up to `endsAt`: signals its lease workflow (`gpu-lab-lease-<id>`) to move the
 * end, or starts one ending then if it has none (a container an admin made without a payment, now
 * paid for). Before the end the timers move; in the grace period the container starts again.
 */
export async function payLease(
  deps: { temporal: Temporal; config: Config },
  c: LeasedContainer,
  endsAt: Date,
): Promise<void> {
  const { input, signal, searchAttributes } = leaseStart(deps.config, c, endsAt);
  await deps.temporal.call((client) =>
    client.workflow.signalWithStart<Workflows['containerLease'], [{ endsAt: string }]>(
      'containerLease' satisfies WorkflowName,
      {
        workflowId: leaseWorkflowIdOf(c.id),
        taskQueue: CONTROL_QUEUE,
        args: [input],
        signal: extendLeaseSignal,
        signalArgs: signal.args,
        typedSearchAttributes: typedSearchAttributesOf(searchAttributes),
      },
    ),
  );
}

/**
 * payLease for a container being created: recorded in its transaction (the outbox), so the lease
 * starts even if the process dies before it is sent. Send it with dispatchStart after the commit.
 */
export async function recordLeasePayment(
  trx: Knex.Transaction,
  config: Config,
  c: LeasedContainer,
  endsAt: Date,
) {
  const { input, signal, searchAttributes } = leaseStart(config, c, endsAt);
  return recordStart(trx, leaseWorkflowIdOf(c.id), {
    workflowType: 'containerLease',
    taskQueue: CONTROL_QUEUE,
    args: [input],
    signal,
    searchAttributes,
  });
}

type LeasedContainer = { id: string; name: string; workspace: string; host_id: string; owner_id: string };

export const leaseWorkflowIdOf = (containerId: string) => `gpu-lab-lease-${containerId}`;

function leaseStart(config: Config, c: LeasedContainer, endsAt: Date) {
  const input: LeaseInput = {
    containerId: c.id,
    name: c.name,
    workspace: c.workspace,
    hostQueue: hostQueue(c.host_id),
    endsAt: endsAt.toISOString(),
    warnBeforeMs: config.GPULAB_LEASE_WARN_HOURS * 3_600_000,
    graceMs: config.GPULAB_LEASE_GRACE_DAYS * 86_400_000,
  };
  const searchAttributes = { product: 'gpu-lab', owner: c.owner_id, resource: c.id };
  return { input, signal: signalWith(extendLeaseSignal, { endsAt: input.endsAt }), searchAttributes };
}

/** The end of a paid period of `days` that follows what is already paid (or starts now). */
export const leaseEnd = (paidUntil: Date | string | null, days: number) =>
  new Date(Math.max(paidUntil ? new Date(paidUntil).getTime() : 0, Date.now()) + days * 86_400_000);
