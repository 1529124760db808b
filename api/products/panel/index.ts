import type { ProductFactory } from '../types';
import { createAuthService } from './auth';
import { createAuditService } from './audit';
import { panelError } from './envelope';
import { createMonitorService } from './monitor';
import { createUpdateService } from './updates';
import { createJobService } from './jobs';
import { panelRoutes } from './routes';
import { createSiteService } from './sites';

/** panel — the single-server hosting panel of panel.md ("Nusantara Panel"). */
export const createPanel: ProductFactory = ({ config, db, temporal, logger }) => {
  const auth = createAuthService({ db, config, logger });
  const routes = panelRoutes({
    db,
    auth,
    sites: createSiteService({ db, config, temporal }),
    jobs: createJobService({ db, config }),
    osReleaseFile: config.PANEL_OS_RELEASE_FILE,
    audit: createAuditService({ db }),
    monitor: createMonitorService({ config, temporal }),
    updates: createUpdateService({ db, config }),
  });
  return {
    name: 'panel',
    title: 'Nusantara Panel',
    router: routes.router,
    errorEnvelope: panelError,
    served: routes.served,
    openapi: (serverUrl) =>
      routes.openapi({ title: 'Nusantara Panel API', version: '1', description: 'Single-server hosting panel: sites, jobs, auth.' }, serverUrl),
    start: () => auth.bootstrapAdmin(),
  };
};
