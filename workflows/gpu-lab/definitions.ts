import { defineSignal } from '@temporalio/workflow';

// gpu-lab workflows' signals, apart from the workflow code so the API sends them through these typed
// definitions without loading a workflow (defineSignal makes a plain object).

/** To a container's lease: it is paid up to `endsAt`. */
export const extendLeaseSignal = defineSignal<[{ endsAt: string }]>('extendLease');
