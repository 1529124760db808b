import type { Knex } from 'knex';
import { createNginx } from '../activities/adapters/nginx';
import { createSiteHostActivities } from '../activities/panel/site-host';
import { createSiteRecordActivities } from '../activities/panel/site-records';
import { createJobActivities } from '../activities/platform/jobs';
import type { Config } from '../core/config';

/** Activities that touch only the database: they run on the control-plane queue. */
export const controlActivities = (db: Knex) => ({
  ...createJobActivities({ db }),
  ...createSiteRecordActivities({ db }),
});

/** Activities that change this machine: they run on dermaga-host-<HOST_ID>. */
export const hostActivities = (config: Config) => ({
  ...createSiteHostActivities({
    nginx: createNginx({ bin: config.PANEL_NGINX_BIN, conf: config.PANEL_NGINX_CONF, sitesDir: config.PANEL_NGINX_SITES_DIR, listen: config.PANEL_NGINX_LISTEN, pidFile: config.PANEL_NGINX_PID_FILE }),
    webRoot: config.PANEL_WEB_ROOT,
    listen: config.PANEL_NGINX_LISTEN,
  }),
});
