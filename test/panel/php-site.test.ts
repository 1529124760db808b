import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, lstatSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { siteUser } from '../../activities/panel/php-host';
import { uniqueDomain, useApi } from '../support/api';
import { fetchSite } from '../support/nginx';
import { saveHistory } from '../support/histories';
import { waitForJob, waitForSite } from '../support/panel';

const t = useApi();

const idOf = (name: string, flag: '-u' | '-g' = '-u') =>
  Number(execFileSync('id', [flag, name], { encoding: 'utf8' }));

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
    // The root is the site user's, readable by nginx's group and no one else.
    const root = statSync(site.root_path);
    const nginxGid = idOf(t.api.config.PANEL_NGINX_USER, '-g');
    expect([root.uid, root.gid, root.mode & 0o777]).toEqual([idOf(user), nginxGid, 0o750]);

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

/** PHP that tries each way it has to read a file: PHP's own file API and every process-execution function. */
const ATTACK_PHP = `<?php
header('content-type: application/json');
$f = $_GET['f'];
$try = function (callable $fn) {
  $errors = [];
  set_error_handler(function ($no, $message) use (&$errors) { $errors[] = $message; return true; });
  try {
    $out = $fn();
  } catch (\\Throwable $e) {
    $out = '';
    $errors[] = $e->getMessage();
  }
  restore_error_handler();
  return ['out' => is_string($out) ? $out : '', 'error' => implode(' | ', $errors)];
};
$cmd = 'cat ' . escapeshellarg($f) . ' 2>&1';
$buffered = function (callable $fn) { ob_start(); $fn(); return ob_get_clean(); };
echo json_encode([
  'file_get_contents' => $try(fn () => file_get_contents($f)),
  'shell_exec' => $try(fn () => shell_exec($cmd)),
  'exec' => $try(function () use ($cmd) { exec($cmd, $lines); return implode("\\n", $lines); }),
  'system' => $try(fn () => $buffered(fn () => system($cmd))),
  'passthru' => $try(fn () => $buffered(fn () => passthru($cmd))),
  'popen' => $try(function () use ($cmd) {
    $h = popen($cmd, 'r');
    $s = stream_get_contents($h);
    pclose($h);
    return $s;
  }),
  'proc_open' => $try(function () use ($f) {
    $p = proc_open(['cat', $f], [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $s = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
    proc_close($p);
    return $s;
  }),
  'whoami' => $try(fn () => shell_exec('id -un')),
]);
`;

/** Where the site's PHP keeps sessions and temporary files, and proof it can write there. */
const DIRS_PHP = `<?php
header('content-type: application/json');
session_start();
$_SESSION['n'] = 1;
session_write_close();
$tmp = tempnam(sys_get_temp_dir(), 'x');
echo json_encode([
  'session' => session_save_path(),
  'session_file' => is_file(session_save_path() . '/sess_' . session_id()),
  'sys_temp_dir' => sys_get_temp_dir(),
  'upload_tmp_dir' => ini_get('upload_tmp_dir'),
  'tempnam' => $tmp,
]);
`;

const EXEC_FUNCTIONS = ['shell_exec', 'exec', 'system', 'passthru', 'popen', 'proc_open'];

describe("a PHP site cannot read another PHP site's files", () => {
  it('reads none of them, by file API or process; keeps sessions and tmp in its own root', async () => {
    const web = t.api.config.PANEL_WEB_ROOT;
    const [attacker, victim, execSite] = ['attacker', 'victim', 'exec'].map((label) => uniqueDomain(label));
    // The victim's root starts with the attacker's: a prefix-only open_basedir would let it in.
    const bodies = [
      { domain: attacker, runtime: 'php', root_path: `${web}/${attacker}` },
      { domain: victim, runtime: 'php', root_path: `${web}/${attacker}-victim` },
      { domain: execSite, runtime: 'php', php_allow_exec: true },
    ];
    const created = await Promise.all(
      bodies.map((body) => t.api.request('POST', '/panel/v1/sites', { token: t.token, body })),
    );
    expect(created.map((c) => c.status)).toEqual([202, 202, 202]);
    expect(created.map((c) => c.body.site.php_allow_exec)).toEqual([false, false, true]);
    const [a, b, c] = await Promise.all(
      created.map((r) => waitForSite(t.api, t.token, r.body.site.id, 'active')),
    );

    const secretFile = path.join(b.root_path, '.env');
    writeFileSync(secretFile, 'DB_PASSWORD=victim-secret\n', { mode: 0o644 });
    chownSync(secretFile, idOf(siteUser(b.id)), idOf(siteUser(b.id), '-g'));
    writeFileSync(path.join(a.root_path, 'own.txt'), 'attacker-own');
    for (const site of [a, c]) writeFileSync(path.join(site.root_path, 'attack.php'), ATTACK_PHP);
    const attack = async (domain: string, file: string) => {
      const res = await fetchSite(domain, `/attack.php?f=${encodeURIComponent(file)}`);
      expect(res.status).toBe(200);
      return JSON.parse(res.body) as Record<string, { out: string; error: string }>;
    };

    // The attacker's PHP works on its own files: what fails below fails for the other site's.
    const own = await attack(attacker, path.join(a.root_path, 'own.txt'));
    expect(own.file_get_contents.out).toBe('attacker-own');

    const stolen = await attack(attacker, secretFile);
    expect(stolen.file_get_contents.out).toBe('');
    expect(stolen.file_get_contents.error).toMatch(/open_basedir restriction in effect/);
    for (const fn of [...EXEC_FUNCTIONS, 'whoami']) {
      expect([fn, stolen[fn].out]).toEqual([fn, '']);
      expect([fn, stolen[fn].error]).toEqual([fn, expect.stringMatching(/Call to undefined function/)]);
    }

    // A site allowed to run processes runs them as its own user, and the files of others stay closed to it.
    const withExec = await attack(execSite, secretFile);
    expect(withExec.whoami.out.trim()).toBe(siteUser(c.id));
    for (const fn of [...EXEC_FUNCTIONS, 'file_get_contents'])
      expect(withExec[fn].out).not.toContain('victim-secret');
    expect(withExec.shell_exec.out).toMatch(/Permission denied/);
    // Nor through nginx, which may read it: a link the site makes to it is not followed.
    const link = path.join(c.root_path, 'leak.txt');
    const linkPhp = `<?php shell_exec('ln -s ' . escapeshellarg($_GET['f']) . ' ${link}');`;
    writeFileSync(path.join(c.root_path, 'link.php'), linkPhp);
    await fetchSite(execSite, `/link.php?f=${encodeURIComponent(secretFile)}`);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    const leaked = await fetchSite(execSite, '/leak.txt');
    expect(leaked.status).toBe(404); // to nginx a link it may not follow is no file
    expect(leaked.body).not.toContain('victim-secret');

    writeFileSync(path.join(a.root_path, 'dirs.php'), DIRS_PHP);
    const dirs = JSON.parse((await fetchSite(attacker, '/dirs.php')).body);
    for (const key of ['session', 'sys_temp_dir', 'upload_tmp_dir', 'tempnam'])
      expect([key, dirs[key].startsWith(`${a.root_path}/`)]).toEqual([key, true]);
    expect(dirs.session_file).toBe(true);
    expect(existsSync(dirs.tempnam)).toBe(true);
    expect(statSync(dirs.session).mode & 0o777).toBe(0o700);
    const tmpUrl = `/${path.relative(a.root_path, dirs.tempnam)}`;
    expect((await fetchSite(attacker, tmpUrl)).status).toBe(403); // never served

    for (const site of [a, b, c])
      await t.api.request('DELETE', `/panel/v1/sites/${site.id}`, { token: t.token });
    for (const site of [a, b, c]) await waitForSite(t.api, t.token, site.id, 'gone');
  });
});

describe('php_allow_exec', () => {
  it('should fail with 400 for a site that is not PHP', async () => {
    const res = await t.api.request('POST', '/panel/v1/sites', {
      token: t.token,
      body: { domain: uniqueDomain('noexec'), runtime: 'static', php_allow_exec: true },
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({
      code: 'invalid_request',
      message: 'php_allow_exec: is for runtime php only',
      field: 'php_allow_exec',
    });
  });
});
