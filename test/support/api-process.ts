import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { spawnTs, waitForLine } from './processes';

/** A TCP port free right now on 127.0.0.1. */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

export interface ApiProcess {
  child: ChildProcess;
  url: string;
  /** Resolves with the signal that ended the process (null for a plain exit). */
  exited: Promise<NodeJS.Signals | null>;
}

/**
 * The API as its own process (api/server.ts, as `npm start` runs it) on a free port, against the
 * stack in process.env, for tests and benches that kill it. Its log goes to `logDir`.
 */
export async function startApiProcess(env: Record<string, string>, logDir: string): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawnTs(
    'api/server.ts',
    { PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    path.join(logDir, `api-${process.pid}-${port}.log`),
  );
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  await waitForLine(child, /api listening/);
  return { child, url: `http://127.0.0.1:${port}`, exited };
}
