import { createHostReaderFor } from '../../../core/host-read';
import type { WorkflowName } from '../../../core/workflow-starts';
import type { Temporal } from '../../../core/temporal';
import type { HostRead } from '../../../types/gpu-lab';

/**
 * Asks one host something only it knows (its Docker engine, its nvidia-smi) through the
 * readFromHost workflow on its queue (core/host-read.ts). nvidia-smi's own failures keep their
 * status (502 for output it should not have printed, 503 for a missing driver or permission).
 */
export function createHostReader(temporal: Temporal) {
  return createHostReaderFor<HostRead>(temporal, {
    workflowType: 'readFromHost' satisfies WorkflowName,
    product: 'gpu-lab',
    statusByType: {
      gpu_driver_unavailable: 503,
      gpu_permission_denied: 503,
      nvidia_smi_failed: 502,
      nvidia_smi_unparsable: 502,
    },
  });
}
export type HostReader = ReturnType<typeof createHostReader>;
