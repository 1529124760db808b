import { Connection } from '@temporalio/client';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { searchAttributeFlags, SEARCH_ATTRIBUTE_KEYS } from '../../core/search-attributes';
import { ensureGoTool } from './go-tools';
import { assertPortFree, spawnLogged, stopChild, stopStale, waitForPort } from './processes';

/**
 * The Temporal CLI: TEMPORAL_CLI, else `temporal` on PATH, else .tools/bin/temporal, else built
 * there with `go install` (minutes, once). Null when none can be had: then startTemporal lets
 * @temporalio/testing download one (needs internet).
 */
export const findTemporalCli = (log: (line: string) => void = () => undefined) =>
  ensureGoTool('temporal', log);

interface TemporalOptions {
  cli: string | null;
  port: number;
  uiPort: number;
  dbFile: string | null;
  headless: boolean;
  logFile: string;
  /** Where the server's pid is kept, to stop one a killed run left behind; default: next to logFile. */
  pidFile?: string;
  log?: (line: string) => void;
}

/** A Temporal dev server from the CLI, or from @temporalio/testing's download when there is no CLI. */
export async function startTemporal(opts: TemporalOptions) {
  if (opts.dbFile) mkdirSync(path.dirname(opts.dbFile), { recursive: true });
  if (!opts.cli) return startDownloaded(opts);
  return startCli({ ...opts, cli: opts.cli });
}

async function startDownloaded(opts: TemporalOptions) {
  const { TestWorkflowEnvironment } = await import('@temporalio/testing');
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      ip: '127.0.0.1',
      port: opts.port,
      ui: !opts.headless,
      uiPort: opts.uiPort,
      dbFilename: opts.dbFile ?? undefined,
      searchAttributes: SEARCH_ATTRIBUTE_KEYS,
    },
  });
  return {
    address: `127.0.0.1:${opts.port}`,
    uiUrl: `http://localhost:${opts.uiPort}`,
    stop: () => env.teardown(),
  };
}

/** `temporal server start-dev`; resolves once the `default` namespace answers. */
async function startCli(opts: TemporalOptions & { cli: string }) {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(opts.port),
    '--ui-port',
    String(opts.uiPort),
    '--log-level',
    'warn',
  ];
  if (opts.dbFile) args.push('--db-filename', opts.dbFile);
  // The custom search attributes every product's workflows carry (core/search-attributes.ts).
  for (const flag of searchAttributeFlags()) args.push('--search-attribute', flag);
  if (opts.headless) args.push('--headless');
  // A dev server orphaned by a killed run holds the port and the db file: stop it first.
  const pidFile = opts.pidFile ?? opts.logFile.replace(/\.log$/, '') + '.pid';
  const inTheWay = (cmd: string) =>
    cmd.includes('server start-dev') &&
    (cmd.includes(`--port ${opts.port} `) || (!!opts.dbFile && cmd.includes(opts.dbFile)));
  const stale = await stopStale(pidFile, { match: inTheWay, removeStale: true });
  if (stale) opts.log?.(`stopped a Temporal dev server left running by an earlier run (pid ${stale})`);
  await assertPortFree(opts.port, 'Temporal dev server');
  const child = spawnLogged(opts.cli, args, opts.logFile);
  if (child.pid) writeFileSync(pidFile, `${child.pid}\n`);
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`temporal dev server exited (${code}): ${tail(opts.logFile)}`)),
    ),
  );
  const address = `127.0.0.1:${opts.port}`;
  try {
    await Promise.race([exited, waitForNamespace(address)]);
  } catch (err) {
    await stopChild(child, 5_000);
    throw err;
  }
  exited.catch(() => undefined);
  const stop = async () => {
    await stopChild(child);
    rmSync(pidFile, { force: true });
  };
  return { address, uiUrl: `http://localhost:${opts.uiPort}`, stop };
}

/** The last lines of a log, for an error message. */
function tail(file: string, lines = 5): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no log at ${file})`;
  }
}

async function waitForNamespace(address: string, timeoutMs = 60_000): Promise<void> {
  const port = Number(address.split(':')[1]);
  await waitForPort(port, '127.0.0.1', timeoutMs);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const conn = await Connection.connect({ address, connectTimeout: 2000 });
      try {
        await conn.workflowService.describeNamespace({ namespace: 'default' });
        return;
      } finally {
        await conn.close();
      }
    } catch (err) {
      if (Date.now() > deadline)
        throw new Error(`Temporal at ${address} has no default namespace: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
