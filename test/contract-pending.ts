/**
 * Endpoints of ../shared/contracts/endpoints.json that Dermaga does not serve yet. The coverage
 * test fails if a listed endpoint is served (take it off) or an unlisted one is not: this list can
 * only shrink. A whole product not built yet is listed as 'all'.
 */
export const pending: Record<string, 'all' | string[]> = {
  panel: [],
  'gpu-lab': [],
  billing: [
    'POST /api/v1/checkout/create',
    'GET /api/v1/checkout/success',
    'GET /api/v1/subscriptions',
    'POST /api/v1/subscriptions/cancel',
    'POST /api/v1/subscriptions/reactivate',
    'PUT /api/v1/subscriptions/upgrade',
    'PUT /api/v1/subscriptions/payment-method',
    'GET /api/v1/invoices',
    'GET /api/v1/invoices/{id}',
    'GET /api/v1/invoices/{id}/pdf',
    'POST /api/v1/invoices/{id}/pay',
    'POST /webhooks/stripe',
    'POST /webhooks/xendit',
    'POST /webhooks/midtrans',
    'PUT /admin/customers/{id}/subscription',
    'GET /admin/analytics/overview',
    'GET /admin/invoices/failed',
  ],
  paas: 'all',
  academy: 'all',
};
