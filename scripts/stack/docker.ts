import { spawn } from 'node:child_process';
import { existsSync, openSync } from 'node:fs';
import { createDocker } from '../../core/docker';

/** Whether a Docker engine answers at DOCKER_HOST or the local socket. */
export async function dockerAnswers(): Promise<boolean> {
  return createDocker(process.env.DOCKER_HOST)
    .ping()
    .then(() => true, () => false);
}

/**
 * Starts dockerd when no engine answers and dockerd is installed. It is a machine service: it
 * outlives this process. iptables off and vfs storage so it runs inside this sandbox.
 */
export async function ensureDockerd(opts: { logFile: string }): Promise<void> {
  if (await dockerAnswers()) return;
  if (process.env.DOCKER_HOST) throw new Error(`no Docker engine answers at DOCKER_HOST=${process.env.DOCKER_HOST}`);
  const bin = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find(existsSync);
  if (!bin) throw new Error('no Docker engine runs and dockerd is not installed: apt-get install docker.io');
  const out = openSync(opts.logFile, 'a');
  spawn(bin, ['--iptables=false', '--ip6tables=false', '--storage-driver=vfs'], { detached: true, stdio: ['ignore', out, out] }).unref();
  for (let i = 0; i < 60; i++) {
    if (await dockerAnswers()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`dockerd did not answer within 30 s; see ${opts.logFile}`);
}
