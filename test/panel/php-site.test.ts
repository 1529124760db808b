import { execFileSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { siteUser } from '../../activities/panel/php-host';
import { uniqueDomain, useApi } from '../support/api';
import { fetchSite } from '../support/nginx';
import { saveHistory } from '../support/histories';
import { waitForJob, waitForSite } from '../support/panel';

const t = useApi();

const userExists = (name: string) => {
  try {
    execFileSync('id', ['-u', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

describe('a PHP site', () => {
  it('runs its PHP through a PHP-FPM pool of its own, as its own user, until it is deleted', async () => {
    const domain = uniqueDomain('php');
    const created = await t.api.request('POST', '/panel/v1/sites', {
      token: t.token,
      body: { domain, runtime: 'php' },
    });
    expect(created.status).toBe(202);
    expect(created.body.site.runtime).toBe('php');
    const site = await waitForSite(t.api, t.token, created.body.site.id, 'active');
    const user = siteUser(site.id);

    const job = await waitForJob(t.api, t.token, created.body.job_id);
    expect(job.steps.map((s: { name: string }) => s.name)).toEqual([
      'create site root',
      'create site user',
      'write php-fpm pool',
      'reload php-fpm',
      'write nginx vhost',
      'test nginx config',
      'reload nginx',
    ]);
    expect(userExists(user)).toBe(true);
    await saveHistory(t.api, job.workflow_id, 'panel/provision-php-site');
    expect(statSync(site.root_path).uid).toBe(Number(execFileSync('id', ['-u', user], { encoding: 'utf8' })));

    writeFileSync(
      path.join(site.root_path, 'index.php'),
      '<?php echo "sum=", 6 * 7, " user=", posix_getpwuid(posix_geteuid())["name"];',
    );
    const page = await fetchSite(domain, '/index.php');
    expect(page).toEqual({ status: 200, body: `sum=42 user=${user}` });
    expect((await fetchSite(domain, '/some/pretty/url')).body).toBe(`sum=42 user=${user}`); // front controller
    const socket = path.join(process.env.PANEL_PHP_SOCKET_DIR as string, `${domain}.sock`);
    expect(existsSync(socket)).toBe(true);

    const removed = await t.api.request('DELETE', `/panel/v1/sites/${site.id}`, { token: t.token });
    await waitForSite(t.api, t.token, site.id, 'gone');
    const deleteJob = await waitForJob(t.api, t.token, removed.body.job_id);
    await saveHistory(t.api, deleteJob.workflow_id, 'panel/delete-php-site');
    expect(deleteJob.steps.map((s: { name: string }) => s.name)).toEqual([
      'remove nginx vhost',
      'remove certificates',
      'remove php-fpm pool',
      'remove site user',
      'remove site root',
    ]);
    expect((await fetchSite(domain, '/index.php')).status).toBe(404);
    expect(existsSync(socket)).toBe(false);
    expect(userExists(user)).toBe(false);
    expect(existsSync(site.root_path)).toBe(false);
  });
});
