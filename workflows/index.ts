// Every workflow the control-plane worker runs; Temporal bundles this file.
export { provisionSite } from './panel/provision-site';
export { deleteSite } from './panel/delete-site';
export { issueCertificate } from './panel/issue-certificate';
export { renewCertificates } from './panel/renew-certificates';
export { createContainer } from './gpu-lab/create-container';
export { deleteContainer } from './gpu-lab/delete-container';
export { containerAction } from './gpu-lab/container-action';
export { containerLease } from './gpu-lab/lease';
export { runBackup, restoreBackup } from './panel/backup';
export { readFromHost } from './gpu-lab/read-host';
export { subscriptionLifecycle } from './billing/subscription';
export { invoiceCollection } from './billing/invoice-collection';
export { reconcileWorkflowStarts } from './platform/reconcile-starts';
export { deployService } from './paas/deploy-service';
export { paasServiceAction } from './paas/service-action';
export { deletePaasService } from './paas/delete-service';
export { paasReadHost } from './paas/read-host';
export { enrollmentLifecycle } from './academy/enrollment';
