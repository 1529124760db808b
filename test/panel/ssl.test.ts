import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import path from 'node:path';
import { uniqueDomain, useApi } from '../support/api';
import { saveHistory } from '../support/histories';
import { fetchSite, fetchSiteTls } from '../support/nginx';
import { waitForJob, waitForSite } from '../support/panel';
import { createPanelUser } from '../support/users';
import { login } from '../support/api';

const t = useApi();
const EMAIL = 'ops@example.com';

/** GET over HTTPS trusting only `ca`: pebble's management API answers with its (random, per start) root. */
function httpsText(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: ${res.statusCode}`)),
        );
      })
      .on('error', reject);
  });
}

/** The protocol the suite's nginx negotiates for `domain` when the client offers only `version`. */
function negotiatedProtocol(domain: string, version: 'TLSv1.2' | 'TLSv1.3'): Promise<string | null> {
  const port = Number(String(process.env.PANEL_NGINX_TLS_LISTEN).split(':').pop());
  return new Promise((resolve, reject) => {
    const only = { minVersion: version, maxVersion: version, rejectUnauthorized: false };
    const socket = tls.connect({ host: '127.0.0.1', port, servername: domain, ...only }, () => {
      resolve(socket.getProtocol());
      socket.end();
    });
    socket.on('error', reject);
  });
}

let pebbleRoot: string;
beforeAll(async () => {
  pebbleRoot = await httpsText(
    String(process.env.TEST_PEBBLE_ROOTS_URL),
    readFileSync(String(process.env.PANEL_ACME_CA_FILE), 'utf8'),
  );
});

async function activeSite(runtime: 'static' | 'php' = 'static') {
  const created = await t.api.request('POST', '/panel/v1/sites', {
    token: t.token,
    body: { domain: uniqueDomain('tls'), runtime },
  });
  expect(created.status).toBe(202);
  return waitForSite(t.api, t.token, created.body.site.id, 'active');
}

const issue = (body: unknown, token = t.token) =>
  t.api.request('POST', '/panel/v1/ssl/issue', { token, body });
const renew = (body?: unknown, token = t.token) =>
  t.api.request('POST', '/panel/v1/ssl/renew', { token, body });
const certificateRow = (domain: string) => t.api.db('panel.certificates').where({ domain }).first();

/** Makes pebble's DNS answer `domain` with an address nothing listens on: the CA's validation request fails. */
async function breakDns(domain: string) {
  const res = await fetch(`${process.env.TEST_PEBBLE_DNS_URL}/add-a`, {
    method: 'POST',
    body: JSON.stringify({ host: domain, addresses: ['127.0.0.2'] }),
  });
  expect(res.status).toBe(200);
}

describe('POST /v1/ssl/issue', () => {
  it('orders a certificate over HTTP-01 and serves the site over HTTPS through nginx with it', async () => {
    const site = await activeSite();
    const res = await issue({ domain: site.domain, email: EMAIL });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      certificate: expect.objectContaining({
        domain: site.domain,
        site_id: site.id,
        status: 'issuing',
        serial: null,
        job_id: res.body.job_id,
      }),
      job_id: expect.stringMatching(/^job_/),
    });

    const job = await waitForJob(t.api, t.token, res.body.job_id);
    expect(job).toMatchObject({ status: 'succeeded', type: 'ssl.issue', error: null });
    expect(job.steps.map((s: { name: string }) => s.name)).toEqual([
      'order certificate',
      'write nginx vhost with TLS',
      'test nginx config',
      'reload nginx',
      'verify served certificate',
    ]);
    await saveHistory(t.api, job.workflow_id, 'panel/issue-certificate');
    expect(
      await t.api
        .db('platform.audit_log')
        .where({ product: 'panel', action: 'ssl.issue', target: `site:${site.id}`, outcome: 'success' })
        .first(),
    ).toBeDefined();

    const served = await fetchSiteTls(site.domain, '/', pebbleRoot);
    expect(served.status).toBe(200);
    expect(served.body).toContain(`<h1>${site.domain}</h1>`);
    expect(served.cert.subject.CN).toBe(site.domain);
    expect(served.cert.issuer.CN).toMatch(/^Pebble Intermediate CA/);
    expect(served.authorizationError).toBeNull(); // the chain verifies up to pebble's root for this name
    expect(served.authorized).toBe(true);
    expect((await fetchSite(site.domain)).status).toBe(200); // plain HTTP still answers (renewals need it)
    expect(await negotiatedProtocol(site.domain, 'TLSv1.3')).toBe('TLSv1.3');
    expect(await negotiatedProtocol(site.domain, 'TLSv1.2')).toBe('TLSv1.2');

    const row = await certificateRow(site.domain);
    expect(row).toMatchObject({
      status: 'active',
      serial: served.cert.serialNumber.toUpperCase(),
      error: null,
    });
    expect(row.issuer).toMatch(/Pebble Intermediate CA/);
    expect(row.not_after.getTime()).toBeGreaterThan(Date.now() + 30 * 86400_000);
    const listed = (await t.api.request('GET', `/panel/v1/sites/${site.id}`, { token: t.token })).body.site;
    expect(listed.ssl).toEqual({
      status: 'active',
      not_after: row.not_after.toISOString(),
      issuer: row.issuer,
      error: null,
    });
    // Key and chain: root-only directory and files; the challenge file is gone from the webroot.
    expect(statSync(row.cert_dir).mode & 0o777).toBe(0o700);
    for (const f of ['privkey.pem', 'fullchain.pem'])
      expect(statSync(path.join(row.cert_dir, f)).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.join(site.root_path, '.well-known/acme-challenge'))).toEqual([]);

    // While an order runs the site cannot be deleted (the order would write its vhost back).
    await t.api.db('panel.certificates').where({ id: row.id }).update({ status: 'issuing' });
    const refused = await t.api.request('DELETE', `/panel/v1/sites/${site.id}`, { token: t.token });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/certificate order for this site is running/);
    await t.api.db('panel.certificates').where({ id: row.id }).update({ status: 'active' });

    // Deleting the site takes its keys and its certificate row with it.
    const deleted = await t.api.request('DELETE', `/panel/v1/sites/${site.id}`, { token: t.token });
    await waitForJob(t.api, t.token, deleted.body.job_id);
    expect(existsSync(path.dirname(row.cert_dir))).toBe(false);
    expect(await certificateRow(site.domain)).toBeUndefined();
  });

  it('runs one order when two requests for the same domain arrive together', async () => {
    const site = await activeSite('php');
    const answers = await Promise.all([
      issue({ domain: site.domain, email: EMAIL }),
      issue({ domain: site.domain, email: EMAIL }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([202, 409]);
    const refused = answers.find((a) => a.status === 409)!;
    expect(refused.body.error).toMatchObject({ code: 'conflict', field: 'domain' });
    expect(refused.body.error.message).toMatch(/already running/);
    const accepted = answers.find((a) => a.status === 202)!;
    expect(await waitForJob(t.api, t.token, accepted.body.job_id)).toMatchObject({ status: 'succeeded' });
    expect(
      await t.api
        .db('platform.jobs')
        .where({ type: 'ssl.issue', target_id: accepted.body.certificate.id })
        .count('* as n')
        .first(),
    ).toEqual({ n: '1' });
    expect((await fetchSiteTls(site.domain, '/', pebbleRoot)).authorized).toBe(true);
  });

  it('leaves the site serving as before when the CA cannot validate the challenge', async () => {
    const site = await activeSite();
    await breakDns(site.domain);
    const vhost = readFileSync(path.join(t.api.config.PANEL_NGINX_SITES_DIR, `${site.domain}.conf`), 'utf8');

    const res = await issue({ domain: site.domain, email: EMAIL });
    const job = await waitForJob(t.api, t.token, res.body.job_id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/could not validate/);
    await saveHistory(t.api, job.workflow_id, 'panel/issue-certificate-failed');
    expect(await certificateRow(site.domain)).toMatchObject({
      status: 'failed',
      cert_dir: null,
      serial: null,
      error: job.error,
    });
    expect(readFileSync(path.join(t.api.config.PANEL_NGINX_SITES_DIR, `${site.domain}.conf`), 'utf8')).toBe(
      vhost,
    );
    expect((await fetchSite(site.domain)).status).toBe(200);
    await expect(fetchSiteTls(site.domain)).rejects.toThrow(); // still no TLS for it: the handshake is refused
    expect(existsSync(path.join(t.api.config.PANEL_SSL_DIR, site.domain))).toBe(false);
  });

  it('answers 404 for a domain the panel does not host, 400 naming the field for bad input, 403 for a viewer', async () => {
    const missing = await issue({ domain: uniqueDomain('nothere'), email: EMAIL });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');

    for (const [body, field] of [
      [{ domain: 'not a domain', email: EMAIL }, 'domain'],
      [{ domain: 'example.com', email: 'nobody' }, 'email'],
      [{ domain: 'example.com' }, 'email'],
      [{ domain: 'example.com', email: EMAIL, extra: 1 }, null],
    ] as const) {
      const res = await issue(body);
      expect(res.status).toBe(400);
      if (field) expect(res.body.error.field).toBe(field);
    }
    expect((await renew({ all: 'yes' })).status).toBe(400);

    const viewer = await createPanelUser(t.api, 'viewer');
    const viewerToken = await login(t.api, viewer.username, viewer.password);
    expect((await issue({ domain: 'example.com', email: EMAIL }, viewerToken)).status).toBe(403);
    expect((await renew(undefined, viewerToken)).status).toBe(403);
  });
});

describe('POST /v1/ssl/renew', () => {
  it('renews what expires within 30 days, all when asked, and keeps the old certificate when a renewal fails', async () => {
    const [due, fresh, failing] = await Promise.all([activeSite(), activeSite(), activeSite()]);
    for (const s of [due, fresh, failing]) {
      const res = await issue({ domain: s.domain, email: EMAIL });
      expect(await waitForJob(t.api, t.token, res.body.job_id)).toMatchObject({ status: 'succeeded' });
    }
    const before = Object.fromEntries(
      await Promise.all([due, fresh, failing].map(async (s) => [s.domain, await certificateRow(s.domain)])),
    );
    // Nothing of ours is near expiry; make one certificate look 10 days from it.
    await t.api
      .db('panel.certificates')
      .where({ domain: due.domain })
      .update({ not_after: new Date(Date.now() + 10 * 86400_000) });

    const res = await renew();
    expect(res.status).toBe(202);
    expect(
      await t.api.db('platform.audit_log').where({ product: 'panel', action: 'ssl.renew' }).first(),
    ).toBeDefined();
    const job = await waitForJob(t.api, t.token, res.body.job_id);
    expect(job).toMatchObject({ status: 'succeeded', type: 'ssl.renew' });
    const renewedDomains = job.steps.map((s: { name: string }) => s.name.split(' ')[1]);
    expect(renewedDomains).toContain(due.domain);
    expect(renewedDomains).not.toContain(fresh.domain);
    const renewed = await certificateRow(due.domain);
    expect(renewed.serial).not.toBe(before[due.domain].serial);
    expect((await fetchSiteTls(due.domain, '/', pebbleRoot)).cert.serialNumber.toUpperCase()).toBe(
      renewed.serial,
    );
    expect(existsSync(before[due.domain].cert_dir)).toBe(false); // the replaced key is gone
    expect((await certificateRow(fresh.domain)).serial).toBe(before[fresh.domain].serial);

    // `all`: every certificate is renewed; the one whose validation fails keeps serving its old certificate.
    await breakDns(failing.domain);
    // Pebble reuses a valid authorization now and then even with PEBBLE_AUTHZREUSE=0 (it creates a
    // new one only when rand.Intn(100) > 0), which would skip the broken validation. A new ACME
    // account has no authorizations to reuse; the workflow registers one when the key is gone.
    rmSync(path.join(t.api.config.PANEL_SSL_DIR, 'accounts'), { recursive: true, force: true });
    const all = await renew({ all: true });
    const allJob = await waitForJob(t.api, t.token, all.body.job_id, 120_000);
    expect(allJob.status).toBe('failed');
    expect(allJob.error).toContain(`${failing.domain}: `);
    await saveHistory(t.api, allJob.workflow_id, 'panel/renew-certificates');
    const steps = Object.fromEntries(
      allJob.steps.map((s: { name: string; status: string }) => [s.name.split(' ')[1], s.status]),
    );
    expect(steps).toMatchObject({
      [fresh.domain]: 'succeeded',
      [due.domain]: 'succeeded',
      [failing.domain]: 'failed',
    });
    expect((await certificateRow(fresh.domain)).serial).not.toBe(before[fresh.domain].serial);
    const kept = await certificateRow(failing.domain);
    expect(kept).toMatchObject({
      status: 'failed',
      serial: before[failing.domain].serial,
      cert_dir: before[failing.domain].cert_dir,
    });
    const stillServed = await fetchSiteTls(failing.domain, '/', pebbleRoot);
    expect(stillServed.cert.serialNumber.toUpperCase()).toBe(before[failing.domain].serial);
    expect(stillServed.authorized).toBe(true);
  });

  it('is also run by a daily Temporal Schedule', async () => {
    const client = await t.api.temporal.client();
    const handle = client.schedule.getHandle('panel-ssl-renew');
    const described = await handle.describe();
    expect(described.action).toMatchObject({ type: 'startWorkflow', workflowType: 'renewCertificates' });
    expect(described.spec.calendars?.length ?? 0).toBeGreaterThan(0);
    const triggeredAt = new Date();
    await handle.trigger();
    const job = await eventuallyJob(triggeredAt);
    expect(job).toMatchObject({ type: 'ssl.renew', actor: 'schedule' });
    expect((await waitForJob(t.api, t.token, job.id)).status).toMatch(/succeeded|failed/);
  });
});

/** The renewal job the Schedule's run created after `since`. */
async function eventuallyJob(since: Date) {
  for (let i = 0; i < 300; i++) {
    const job = await t.api
      .db('platform.jobs')
      .where({ type: 'ssl.renew', actor: 'schedule' })
      .where('created_at', '>=', since)
      .first();
    if (job) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the scheduled renewal created no job in 30 s');
}
