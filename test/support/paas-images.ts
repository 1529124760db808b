import type Docker from 'dockerode';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';

const APPLETS = ['sh', 'httpd', 'echo', 'sleep', 'cat'];

/** What each of the suite's paas images runs as its own command (the contract has no command field). */
const RECIPES = {
  /** Serves /www (its index.html says `version`) on 8080 and logs each request. */
  web: (version: string) => ({
    cmd: ['/bin/sh', '-c', `echo "web ${version} starting"; exec /bin/httpd -f -v -p 8080 -h /www`],
    index: `web ${version}\n`,
  }),
  /** Exits at once, as a container with a bad command or config does. */
  crash: () => ({ cmd: ['/bin/sh', '-c', 'echo "crash: missing configuration" >&2; exit 3'], index: '' }),
};

/** The tag a recipe gets: a hash of what goes in, so a changed recipe is a new image, never a stale one. */
function tagOf(kind: keyof typeof RECIPES, version: string) {
  const recipe = RECIPES[kind](version);
  const hash = createHash('sha256')
    .update(JSON.stringify([APPLETS, recipe]))
    .digest('hex')
    .slice(0, 10);
  return { repo: `dermaga-test/paas-${kind}`, tag: `${version}-${hash}`, recipe };
}

/**
 * A tiny local image for paas tests (no registry here): busybox-static on an empty root with its own
 * command, imported with `docker import --change CMD …`. `web` images really listen on 8080.
 */
export async function ensurePaasImage(
  docker: Docker,
  kind: keyof typeof RECIPES,
  version = 'v1',
): Promise<string> {
  const { repo, tag, recipe } = tagOf(kind, version);
  const image = `${repo}:${tag}`;
  const present = await docker
    .getImage(image)
    .inspect()
    .then(
      () => true,
      () => false,
    );
  if (present) return image;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dermaga-paas-image-'));
  try {
    const root = path.join(dir, 'root');
    for (const d of ['bin', 'www', 'tmp', 'data']) mkdirSync(path.join(root, d), { recursive: true });
    copyFileSync('/bin/busybox', path.join(root, 'bin/busybox'));
    for (const a of APPLETS) symlinkSync('busybox', path.join(root, 'bin', a));
    writeFileSync(path.join(root, 'www/index.html'), recipe.index);
    const tar = path.join(dir, 'root.tar');
    execFileSync('tar', ['-C', root, '-cf', tar, '.']);
    const stream = await docker.importImage(tar, {
      repo,
      tag,
      changes: [`CMD ${JSON.stringify(recipe.cmd)}`],
    } as Record<string, unknown>);
    await new Promise((resolve, reject) =>
      docker.modem.followProgress(stream, (err) => (err ? reject(err) : resolve(undefined))),
    );
    return image;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
