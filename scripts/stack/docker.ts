import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { createDocker } from '../../core/docker';

const script = path.resolve(__dirname, '../ensure-dockerd.sh');

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
 * Starts a private dockerd when no engine answers (scripts/ensure-dockerd.sh, shared with .ci/run):
 * a machine service that outlives this process. Throws, saying what to run, when it cannot.
 */
export async function ensureDockerd(opts: { logFile: string; log?: (line: string) => void }): Promise<void> {
  if (await dockerAnswers()) return;
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const said = await new Promise<string>((resolve) => {
    const child = execFile('bash', [script, opts.logFile], { timeout: 60_000 }, (err, _out, stderr) =>
      resolve(err ? stderr.trim().split('\n').pop() || err.message : ''),
    );
    child.stdout?.on('data', (chunk: Buffer) =>
      chunk
        .toString()
        .split('\n')
        .filter(Boolean)
        .forEach((l) => opts.log?.(l)),
    );
  });
  if (said || !(await dockerAnswers()))
    throw new Error(said.replace(/^ensure-dockerd: /, '') || `dockerd did not answer; see ${opts.logFile}`);
}
