import { caller } from './context';
import * as s from '../schemas/ssl';
import type { PanelRoute, PanelServices } from './context';

/** Certificates over ACME HTTP-01, issued and renewed by workflows; answers come before the work. */
export function sslRoutes(route: PanelRoute, { ssl }: PanelServices): void {
  route({
    method: 'post',
    path: '/v1/ssl/issue',
    audit: 'ssl.issue',
    tag: 'ssl',
    auth: 'admin',
    summary: "Issue a certificate for a site's domain (asynchronously)",
    description:
      "Orders a certificate from the configured ACME CA (Let's Encrypt by default) with the HTTP-01 challenge served from the site's root, then adds a TLS server block to its vhost. A failed order leaves the site serving as before. Poll GET /v1/jobs/{job_id}.",
    body: s.IssueCertificateBody,
    status: 202,
    responses: {
      202: { description: 'Accepted; the order started', schema: s.CertificateAccepted },
      404: { description: 'The panel hosts no site with this domain' },
      409: { description: 'An order for this domain is already running, or the site is not active' },
    },
    handler: ({ body }, ctx) => ssl.issue(caller(ctx), body, ctx.ip),
  });

  route({
    method: 'post',
    path: '/v1/ssl/renew',
    audit: 'ssl.renew',
    tag: 'ssl',
    auth: 'admin',
    summary: 'Renew certificates that expire soon, or all (asynchronously)',
    description:
      'Renews every installed certificate expiring within PANEL_SSL_RENEW_BEFORE_DAYS (30), or all with `{"all": true}`. A daily Temporal Schedule runs the same renewal. The job has one step per certificate; each renewal has its own job too.',
    body: s.RenewCertificatesBody,
    status: 202,
    responses: { 202: { description: 'Accepted; the renewal started', schema: s.RenewalAccepted } },
    handler: ({ body }, ctx) => ssl.renew(caller(ctx), body, ctx.ip),
  });
}
