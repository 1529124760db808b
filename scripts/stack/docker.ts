import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { createDocker } from '../../core/docker';

/** Whether a Docker engine answers at DOCKER_HOST or the local socket, and its version. */
export async function dockerStatus(): Promise<{
  reachable: boolean;
  host: string;
  version?: string;
  error?: string;
}> {
  const host = process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
  try {
    const { Version } = await createDocker(process.env.DOCKER_HOST).version();
    return { reachable: true, host, version: Version };
  } catch (err) {
    return { reachable: false, host, error: (err as Error).message };
  }
}

/** Whether a Docker engine answers (GET /_ping) at DOCKER_HOST or the local socket. */
export async function dockerAnswers(): Promise<boolean> {
  return createDocker(process.env.DOCKER_HOST)
    .ping()
    .then(
      () => true,
      () => false,
    );
}

/**
 * Starts dockerd when no engine answers and dockerd is installed. It is a machine service: it
 * outlives this process. iptables off and vfs storage so it runs inside this sandbox.
 */
export async function ensureDockerd(opts: { logFile: string }): Promise<void> {
  if (await dockerAnswers()) return;
  if (process.env.DOCKER_HOST)
    throw new Error(`no Docker engine answers at DOCKER_HOST=${process.env.DOCKER_HOST}`);
  const bin = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find(existsSync);
  if (!bin) throw new Error('no Docker engine runs and dockerd is not installed: apt-get install docker.io');
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const out = openSync(opts.logFile, 'a');
  // detached + unref: its own session, so neither our exit nor a Ctrl-C in our terminal stops it.
  spawn(bin, ['--iptables=false', '--ip6tables=false', '--storage-driver=vfs'], {
    detached: true,
    stdio: ['ignore', out, out],
  }).unref();
  for (let i = 0; i < 60; i++) {
    if (await dockerAnswers()) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`dockerd did not answer within 30 s; see ${opts.logFile}`);
}
