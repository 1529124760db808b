import type { Knex } from 'knex';
import { createNginx } from '../adapters/nginx';
import { createPhpFpm } from '../adapters/php-fpm';
import { createPhpHostActivities } from '../activities/panel/php-host';
import { createSiteHostActivities } from '../activities/panel/site-host';
import { createSiteRecordActivities } from '../activities/panel/site-records';
import { createAcme } from '../adapters/acme';
import { createCertificateRecordActivities } from '../activities/panel/certificate-records';
import { createSslHostActivities } from '../activities/panel/ssl-host';
import path from 'node:path';
import { createMariadb } from '../adapters/mariadb';
import { createMariadbCli } from '../adapters/mariadb-cli';
import { createBackupHostActivities } from '../activities/panel/backup-host';
import { createBackupRecordActivities } from '../activities/panel/backup-records';
import { createContainers } from '../adapters/containers';
import { createContainerHostActivities } from '../activities/gpu-lab/container-host';
import { createContainerRecordActivities } from '../activities/gpu-lab/container-records';
import { createDocker } from '../core/docker';
import { createSecretBox } from '../core/secret-box';
import { createJobActivities } from '../activities/platform/jobs';
import { createNvidiaSmiActivities } from '../activities/gpu-lab/nvidia-smi';
import { createStripePaymentActivities } from '../activities/billing/stripe-payments';
import { createSubscriptionRecordActivities } from '../activities/billing/subscription-records';
import { createStripe } from '../adapters/stripe';
import { heartbeating } from '../activities/platform/heartbeat';
import type { Config } from '../core/config';
import { temporalFromConfig, type Temporal } from '../core/temporal';
import { createWorkflowStartActivities } from '../activities/platform/workflow-starts';
import { createDeploymentRecordActivities } from '../activities/paas/deployment-records';
import { createServiceHostActivities } from '../activities/paas/service-host';
import { createEnrollmentRecordActivities } from '../activities/academy/enrollment-records';
import { createCertificateActivities } from '../activities/academy/certificates';
import { createMailer } from '../core/mail';
import { productUrl } from '../api/http/mount';

/** Activities that touch only the database (and, for the outbox, Temporal): they run on the control-plane queue. */
export const controlActivities = (
  db: Knex,
  config: Config,
  temporal: Temporal = temporalFromConfig(config),
) => ({
  ...createJobActivities({ db }),
  ...createWorkflowStartActivities({ db, temporal, graceMs: config.WORKFLOW_START_GRACE_SECONDS * 1000 }),
  ...createSiteRecordActivities({ db }),
  ...createCertificateRecordActivities({ db, renewBeforeDays: config.PANEL_SSL_RENEW_BEFORE_DAYS }),
  ...createContainerRecordActivities({ db, quarantineSeconds: config.GPULAB_PORT_QUARANTINE_SECONDS }),
  ...createBackupRecordActivities({ db }),
  ...createSubscriptionRecordActivities({ db }),
  ...createDeploymentRecordActivities({ db }),
  ...createStripePaymentActivities({
    db,
    stripe: createStripe({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE }),
  }),
  ...createEnrollmentRecordActivities({ db }),
  ...createCertificateActivities({
    db,
    send: createMailer({
      smtpUrl: config.ACADEMY_SMTP_URL,
      dir: config.ACADEMY_MAIL_DIR,
      rootDir: config.rootDir,
      from: config.ACADEMY_MAIL_FROM,
    }),
    baseUrl: productUrl(config, 'academy'),
  }),
});

/**
 * Activities that change this machine: they run on dermaga-host-<HOST_ID>, each heartbeating while
 * it runs, so a step whose worker died is retried within seconds (workflows/platform/options.ts).
 */
export const hostActivities = (config: Config) => heartbeating(hostActivitiesOf(config));

function hostActivitiesOf(config: Config) {
  const php = createPhpFpm({
    poolDir: config.PANEL_PHP_POOL_DIR,
    socketDir: config.PANEL_PHP_SOCKET_DIR,
    pidFile: config.PANEL_PHP_FPM_PID_FILE,
    nginxUser: config.PANEL_NGINX_USER,
  });
  const nginx = createNginx({
    bin: config.PANEL_NGINX_BIN,
    conf: config.PANEL_NGINX_CONF,
    sitesDir: config.PANEL_NGINX_SITES_DIR,
    listen: config.PANEL_NGINX_LISTEN,
    pidFile: config.PANEL_NGINX_PID_FILE,
  });
  return {
    ...createSiteHostActivities({
      nginx,
      webRoot: config.PANEL_WEB_ROOT,
      listen: config.PANEL_NGINX_LISTEN,
      tlsListen: config.PANEL_NGINX_TLS_LISTEN,
      phpSocket: php.socketPath,
      nginxUser: config.PANEL_NGINX_USER,
    }),
    ...createPhpHostActivities({ php, nginxUser: config.PANEL_NGINX_USER }),
    ...createSslHostActivities({
      acme: createAcme({
        directoryUrl: config.PANEL_ACME_DIRECTORY_URL,
        caFile: config.PANEL_ACME_CA_FILE,
        accountDir: path.join(config.PANEL_SSL_DIR, 'accounts'),
      }),
      nginx,
      sslDir: config.PANEL_SSL_DIR,
      tlsListen: config.PANEL_NGINX_TLS_LISTEN,
    }),
    ...containerHost(config),
    ...serviceHost(config),
    ...createNvidiaSmiActivities({ bin: config.GPULAB_NVIDIA_SMI, hostId: config.HOST_ID }),
    ...createBackupHostActivities({
      dir: path.resolve(config.PANEL_BACKUP_DIR),
      mariadb: createMariadb(config.PANEL_MYSQL_URL),
      mariadbCli: createMariadbCli(config.PANEL_MYSQL_URL),
      secrets: createSecretBox(config.DERMAGA_SECRET_KEY),
    }),
  };
}

/** gpu-lab containers on this host's Docker engine. */
function containerHost(config: Config) {
  const docker = createDocker(config.DOCKER_HOST);
  return createContainerHostActivities({
    docker,
    containers: createContainers(docker),
    secrets: createSecretBox(config.DERMAGA_SECRET_KEY),
    hostId: config.HOST_ID,
    bindAddress: config.GPULAB_BIND_ADDRESS,
    stopTimeoutSec: config.GPULAB_STOP_TIMEOUT_SECONDS,
  });
}

/** paas services' deployments on this host's Docker engine. */
function serviceHost(config: Config) {
  const docker = createDocker(config.DOCKER_HOST);
  return createServiceHostActivities({
    docker,
    containers: createContainers(docker),
    secrets: createSecretBox(config.DERMAGA_SECRET_KEY),
    hostId: config.HOST_ID,
    bindAddress: config.PAAS_BIND_ADDRESS,
    stopTimeoutSec: config.PAAS_STOP_TIMEOUT_SECONDS,
  });
}
