/** The workflow that collects an invoice (charge, payment webhook, dunning); its payments signal it. */
export const invoiceWorkflowIdOf = (invoiceId: string) => `billing-invoice-${invoiceId}`;
