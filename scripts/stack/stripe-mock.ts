import { rmSync } from 'node:fs';
import path from 'node:path';
import { ensureGoTool } from './go-tools';
import { assertPortFree, spawnLogged, stopChild, waitForPort } from './processes';

/**
 * stripe-mock, Stripe's official API mock (it answers every endpoint from Stripe's OpenAPI spec
 * and fixtures, keeping no state): billing talks to it through the real `stripe` package when no
 * Stripe key is configured. Built with go install once, like the Temporal CLI.
 */
export async function startStripeMock(opts: { dir: string; port: number; log?: (line: string) => void }) {
  const bin = await ensureGoTool('stripe-mock', opts.log);
  if (!bin)
    throw new Error(
      'stripe-mock is not installed and could not be built (install Go, or set STRIPE_MOCK_BIN): billing needs it without a Stripe key',
    );
  await assertPortFree(opts.port, 'stripe-mock');
  // HTTPS on a socket in its own directory: its default HTTPS port (12112) would clash between two
  // stacks. stripe-mock leaves the socket file behind when it stops; the next start removes it.
  const socket = path.join(opts.dir, 'https.sock');
  rmSync(socket, { force: true });
  const child = spawnLogged(
    bin,
    ['-http-addr', `127.0.0.1:${opts.port}`, '-https-unix', socket],
    path.join(opts.dir, 'stripe-mock.log'),
  );
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`stripe-mock exited (${code}); see ${opts.dir}/stripe-mock.log`)),
    ),
  );
  await Promise.race([exited, waitForPort(opts.port)]);
  exited.catch(() => undefined);
  return { apiBase: `http://127.0.0.1:${opts.port}`, stop: () => stopChild(child, 5000) };
}
