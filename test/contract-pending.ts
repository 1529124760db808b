/**
 * Endpoints of ../shared/contracts/endpoints.json that Dermaga does not serve yet. The coverage
 * test fails if a listed endpoint is served (take it off) or an unlisted one is not: this list can
 * only shrink. A whole product not built yet is listed as 'all'.
 */
export const pending: Record<string, 'all' | string[]> = {
  panel: [],
  'gpu-lab': [
    'POST /api/v1/gpu',
    'GET /api/v1/gpu',
    'GET /api/v1/gpu/discover',
    'GET /api/v1/gpu/mig/summary',
    'GET /api/v1/gpu/mig/instances',
    'GET /api/v1/gpu/topology',
    'PATCH /api/v1/gpu/{id}',
    'DELETE /api/v1/gpu/{id}',
  ],
  billing: 'all',
  paas: 'all',
  academy: 'all',
};
