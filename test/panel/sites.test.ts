import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { uniqueDomain, useApi } from '../support/api';
import { fetchSite } from '../support/nginx';
import { waitForJob, waitForSite } from '../support/panel';
import { saveHistory } from '../support/histories';

const t = useApi();

describe('an admin hosts a site', () => {
  it('provisions it through a workflow, nginx serves it, and delete takes it away', async () => {
    const domain = uniqueDomain('shop');
    const created = await t.api.request('POST', '/panel/v1/sites', {
      token: t.token,
      body: { domain, runtime: 'static' },
    });
    expect(created.status).toBe(202);
    expect(created.body.site).toMatchObject({
      domain,
      status: 'provisioning',
      runtime: 'static',
      error: null,
    });
    expect(created.body.site.root_path).toBe(path.join(t.api.config.PANEL_WEB_ROOT, domain));
    expect(created.body.job_id).toMatch(/^job_/);
    const siteId = created.body.site.id;

    const active = await waitForSite(t.api, t.token, siteId, 'active');
    expect(active.job_id).toBe(created.body.job_id);
    const served = await fetchSite(domain);
    expect(served.status).toBe(200);
    expect(served.body).toContain(`<h1>${domain}</h1>`);
    expect((await fetchSite(domain, '/.dermaga-site')).status).toBe(403);
    // Readable by nginx's group, closed to everyone else (PHP sites' users included).
    const nginxGid = Number(execFileSync('id', ['-g', t.api.config.PANEL_NGINX_USER], { encoding: 'utf8' }));
    const root = statSync(active.root_path);
    expect([root.uid, root.gid, root.mode & 0o777]).toEqual([0, nginxGid, 0o750]);

    const job = await waitForJob(t.api, t.token, created.body.job_id);
    expect(job).toMatchObject({
      type: 'site.provision',
      status: 'succeeded',
      target: { type: 'site', id: siteId },
      error: null,
      workflow_id: `panel-site-${siteId}-provision`,
    });
    expect(job.temporal_ui_url).toBe(
      `${t.api.config.TEMPORAL_UI_URL}/namespaces/default/workflows/panel-site-${siteId}-provision`,
    );
    expect(job.steps.map((s: { name: string; status: string }) => [s.name, s.status])).toEqual([
      ['create site root', 'succeeded'],
      ['write nginx vhost', 'succeeded'],
      ['test nginx config', 'succeeded'],
      ['reload nginx', 'succeeded'],
    ]);
    expect(Date.parse(job.finished_at)).toBeGreaterThanOrEqual(Date.parse(job.started_at));
    await saveHistory(t.api, job.workflow_id, 'panel/provision-site');
    // The workflow itself answers what it did (the Temporal UI's Queries tab shows the same).
    const progress = await (
      await t.api.temporal.client()
    ).workflow
      .getHandle(job.workflow_id)
      .query('progress');
    expect(progress).toEqual({
      jobId: job.id,
      steps: ['create site root', 'write nginx vhost', 'test nginx config', 'reload nginx'],
      current: null,
      compensating: false,
    });

    const listed = await t.api.request('GET', '/panel/v1/sites?status=active', { token: t.token });
    expect(listed.body.sites.map((s: { id: string }) => s.id)).toContain(siteId);

    const removed = await t.api.request('DELETE', `/panel/v1/sites/${siteId}`, { token: t.token });
    expect(removed.status).toBe(202);
    expect(removed.body.site.status).toBe('deleting');
    expect(removed.body.job_id).not.toBe(created.body.job_id);
    await waitForSite(t.api, t.token, siteId, 'gone');
    expect((await fetchSite(domain)).status).toBe(404);
    expect(existsSync(active.root_path)).toBe(false);
    const deleteJob = await waitForJob(t.api, t.token, removed.body.job_id);
    expect(deleteJob).toMatchObject({ type: 'site.delete', status: 'succeeded' });
    await saveHistory(t.api, deleteJob.workflow_id, 'panel/delete-site');

    const audit = await t.api
      .db('platform.audit_log')
      .where({ product: 'panel', target: `site:${siteId}` })
      .orderBy('id');
    expect(audit.map((a) => [a.action, a.actor, a.outcome])).toEqual([
      ['site.create', 'admin', 'success'],
      ['site.delete', 'admin', 'success'],
    ]);
    expect(audit[0].ip).toBeTruthy();
  });

  it("serves an operator's existing root as it is and leaves it in place after delete", async () => {
    const domain = uniqueDomain('custom');
    const root = path.join(t.api.config.PANEL_WEB_ROOT, 'custom', domain);
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, 'index.html'), 'the operator wrote this');
    const created = await t.api.request('POST', '/panel/v1/sites', {
      token: t.token,
      body: { domain, root_path: root },
    });
    expect(created.status).toBe(202);
    expect(created.body.site.root_path).toBe(root);
    await waitForSite(t.api, t.token, created.body.site.id, 'active');
    expect(await fetchSite(domain)).toEqual({ status: 200, body: 'the operator wrote this' });

    await t.api.request('DELETE', `/panel/v1/sites/${created.body.site.id}`, { token: t.token });
    await waitForSite(t.api, t.token, created.body.site.id, 'gone');
    expect(readFileSync(path.join(root, 'index.html'), 'utf8')).toBe('the operator wrote this');
  });

  it('answers DELETE twice with the same job while the site is being deleted', async () => {
    const domain = uniqueDomain('twice');
    const created = await t.api.request('POST', '/panel/v1/sites', { token: t.token, body: { domain } });
    await waitForSite(t.api, t.token, created.body.site.id, 'active');
    const [a, b] = await Promise.all([
      t.api.request('DELETE', `/panel/v1/sites/${created.body.site.id}`, { token: t.token }),
      t.api.request('DELETE', `/panel/v1/sites/${created.body.site.id}`, { token: t.token }),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.job_id).toBe(b.body.job_id);
    await waitForSite(t.api, t.token, created.body.site.id, 'gone');
  });
});

describe('site roots never overlap', () => {
  const create = (domain: string, root_path: string) =>
    t.api.request('POST', '/panel/v1/sites', { token: t.token, body: { domain, root_path } });
  const removeAll = async (ids: string[]) => {
    for (const id of ids) await waitForSite(t.api, t.token, id, 'active');
    for (const id of ids) await t.api.request('DELETE', `/panel/v1/sites/${id}`, { token: t.token });
    for (const id of ids) await waitForSite(t.api, t.token, id, 'gone');
  };

  it('should fail with 409 for a root inside, or around, the root of another site', async () => {
    const outer = path.join(t.api.config.PANEL_WEB_ROOT, uniqueDomain('outer'));
    const created = await create(uniqueDomain('outer'), outer);
    expect(created.status).toBe(202);
    const inside = await create(uniqueDomain('inner'), `${outer}/blog`);
    expect(inside.status).toBe(409);
    expect(inside.body.error).toEqual({
      code: 'conflict',
      message: `root_path: ${outer}/blog overlaps the root ${outer} of site ${created.body.site.domain}`,
      field: 'root_path',
    });
    const group = path.join(t.api.config.PANEL_WEB_ROOT, uniqueDomain('group'));
    const grouped = await create(uniqueDomain('grouped'), `${group}/shop`);
    expect(grouped.status).toBe(202);
    const around = await create(uniqueDomain('around'), group);
    expect(around.status).toBe(409);
    expect(around.body.error.message).toBe(
      `root_path: ${group} overlaps the root ${group}/shop of site ${grouped.body.site.domain}`,
    );
    const sibling = `${outer}-b`; // shares a prefix, not a directory
    const beside = await create(uniqueDomain('beside'), sibling);
    expect(beside.status).toBe(202);
    await removeAll([created.body.site.id, grouped.body.site.id, beside.body.site.id]);
  });

  it('admits one of two nested roots created at the same moment', async () => {
    const pairs = [0, 1, 2].map(() => {
      const outer = path.join(t.api.config.PANEL_WEB_ROOT, uniqueDomain('race'));
      return [outer, `${outer}/inner`];
    });
    const answers = await Promise.all(pairs.flat().map((root) => create(uniqueDomain('race'), root)));
    for (let i = 0; i < pairs.length; i++) {
      const pair = answers.slice(2 * i, 2 * i + 2);
      expect(pair.map((a) => a.status).sort()).toEqual([202, 409]);
      expect(pair.find((a) => a.status === 409)?.body.error.field).toBe('root_path');
    }
    await removeAll(answers.filter((a) => a.status === 202).map((a) => a.body.site.id));
  });
});
