/** The workflow that collects an invoice (charge, payment webhook, dunning); a payment of the invoice signals it. */
export const invoiceWorkflowIdOf = (invoiceId: string) => `billing-invoice-${invoiceId}`;
