import type Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

const APPLETS = [
  'sh',
  'ls',
  'cat',
  'echo',
  'sleep',
  'id',
  'httpd',
  'grep',
  'head',
  'dd',
  'true',
  'env',
  'cut',
  'sed',
  'mkpasswd',
  'printf',
];

/**
 * Debian's busybox-static has no chpasswd applet; real lab images (Ubuntu's passwd package) do.
 * This is chpasswd's contract (user:password lines on stdin, SHA-512 crypt into /etc/shadow), so
 * the code under test calls the image exactly as it calls a real one.
 */
const CHPASSWD = `#!/bin/sh
set -e
while IFS=: read -r user pass; do
  [ -n "$user" ] || continue
  grep -q "^$user:" /etc/shadow || { echo "chpasswd: unknown user $user" >&2; exit 1; }
  hash=$(printf '%s' "$pass" | mkpasswd -m sha512 -P 0)
  sed -i "s|^$user:[^:]*:|$user:$hash:|" /etc/shadow
done
`;

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nlab:x:1000:1000:lab:/home/lab:/bin/sh\n';
const SHADOW = 'root:!:19000:0:99999:7:::\nlab:!:19000:0:99999:7:::\n';

/**
 * The suite's container image: busybox-static on an empty root, with a `lab` user (no registry
 * here). Its tag is a hash of what goes in, so a changed recipe is a new image, never a stale one.
 */
export const TEST_IMAGE = `dermaga-test/lab:${createHash('sha256')
  .update(JSON.stringify([APPLETS, CHPASSWD, PASSWD, SHADOW]))
  .digest('hex')
  .slice(0, 12)}`;

/**
 * Imports TEST_IMAGE into the engine unless it is there: a root with /bin/busybox and its applets,
 * /etc/passwd and /etc/shadow (so chpasswd has someone to change), /workspace and /tmp.
 */
export async function ensureTestImage(docker: Docker): Promise<string> {
  const present = await docker
    .getImage(TEST_IMAGE)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (present) return TEST_IMAGE;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dermaga-image-'));
  try {
    const root = path.join(dir, 'root');
    for (const d of ['bin', 'etc', 'tmp', 'workspace', 'home/lab'])
      mkdirSync(path.join(root, d), { recursive: true });
    copyFileSync('/bin/busybox', path.join(root, 'bin/busybox'));
    for (const a of APPLETS) symlinkSync('busybox', path.join(root, 'bin', a));
    writeFileSync(path.join(root, 'bin/chpasswd'), CHPASSWD, { mode: 0o755 });
    writeFileSync(path.join(root, 'etc/passwd'), PASSWD);
    writeFileSync(path.join(root, 'etc/group'), 'root:x:0:\nlab:x:1000:\n');
    writeFileSync(path.join(root, 'etc/shadow'), SHADOW, { mode: 0o600 });
    const tar = path.join(dir, 'root.tar');
    execFileSync('tar', ['-C', root, '-cf', tar, '.']);
    const stream = await docker.importImage(tar, { repo: 'dermaga-test/lab', tag: TEST_IMAGE.split(':')[1] });
    await new Promise((resolve, reject) =>
      docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(undefined))),
    );
    return TEST_IMAGE;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
