// Every workflow the control-plane worker runs; Temporal bundles this file.
export { provisionSite } from './panel/provision-site';
export { deleteSite } from './panel/delete-site';
