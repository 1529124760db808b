/**
 * Endpoints of docs/contracts/endpoints.json that Dermaga does not serve yet. The coverage
 * test fails if a listed endpoint is served (take it off) or an unlisted one is not: this list can
 * only shrink. A whole product not built yet is listed as 'all'.
 */
export const pending: Record<string, 'all' | string[]> = {
  panel: [],
  'gpu-lab': [],
  billing: [],
  paas: [],
  academy: [],
};
