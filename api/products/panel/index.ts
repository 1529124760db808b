import { createMariadb } from '../../../adapters/mariadb';
import type { ProductFactory } from '../types';
import { createAuthService } from './auth';
import { createAuditService } from './audit';
import { createDatabaseService } from './databases';
import { panelError } from './envelope';
import { createMonitorService } from './monitor';
import { createUpdateService } from './updates';
import { createJobService } from './jobs';
import { panelRoutes } from './routes';
import { createSiteService } from './sites';
import { createSslService } from './ssl';
import { createBackupService } from './backups';
import { createUserService } from './users';

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
    databases: createDatabaseService({
      db,
      mariadb: createMariadb(config.PANEL_MYSQL_URL),
      mariadbAdmin: decodeURIComponent(new URL(config.PANEL_MYSQL_URL).username),
      hostId: config.HOST_ID,
    }),
    ssl: createSslService({ db, temporal }),
    backups: createBackupService({ db, config, temporal }),
    users: createUserService({ db }),
  });
  return {
    name: 'panel',
    title: 'Nusantara Panel',
    router: routes.router,
    errorEnvelope: panelError,
    served: routes.served,
    openapi: (serverUrl) =>
      routes.openapi(
        {
          title: 'Nusantara Panel API',
          version: '1',
          description:
            'Single-server hosting panel: sites, databases, certificates, jobs, audit, monitoring, self-update.',
        },
        serverUrl,
      ),
    start: () => auth.bootstrapAdmin(),
  };
};
