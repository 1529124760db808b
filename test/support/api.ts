import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { answerClientErrors } from '../../api/http/client-errors';
import { loadConfig, type Config } from '../../core/config';
import { createDb, dbTimeouts } from '../../core/db';
import { createDocker } from '../../core/docker';
import { createLogger } from '../../core/logger';
import { temporalFromConfig } from '../../core/temporal';
import { createPanelUser } from './users';

export const ADMIN_PASSWORD = 'Bootstrap-Passw0rd!';

export interface TestApi {
  url: string;
  /** The METRICS_PORT listener's URL, when the API was started with one. */
  metricsUrl?: string;
  config: Config;
  db: ReturnType<typeof createDb>;
  temporal: ReturnType<typeof temporalFromConfig>;
  request(
    method: string,
    path: string,
    opts?: { body?: unknown; raw?: string; token?: string; headers?: Record<string, string> },
  ): Promise<Res>;
  close(): Promise<void>;
}

export interface Res {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever JSON came back
  body: any;
  text: string;
}

/** Starts the real API in this process on a free port, against the suite's stack. */
export async function startApi(env: Record<string, string> = {}): Promise<TestApi> {
  const config = loadConfig({ ...process.env, PORT: '0', ...env });
  const logger = createLogger('silent');
  const db = createDb(config.DATABASE_URL, { min: 0, max: 5 }, dbTimeouts(config));
  const temporal = temporalFromConfig(config);
  const { app, metricsApp, start, stop } = createApp({
    config,
    db,
    temporal,
    docker: createDocker(config.DOCKER_HOST),
    logger,
  });
  await start();
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  answerClientErrors(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const metricsServer: Server | undefined =
    metricsApp &&
    (await new Promise((resolve) => {
      const s = metricsApp.listen(config.METRICS_PORT ?? 0, config.METRICS_HOST, () => resolve(s));
    }));
  return {
    url,
    metricsUrl:
      metricsServer && `http://${config.METRICS_HOST}:${(metricsServer.address() as AddressInfo).port}`,
    config,
    db,
    temporal,
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | undefined = opts.raw;
      if (opts.body !== undefined) {
        body = JSON.stringify(opts.body);
        headers['content-type'] = 'application/json';
      } else if (opts.raw !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(`${url}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        /* not JSON: keep the text */
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async close() {
      await new Promise((r) => server.close(r));
      if (metricsServer) await new Promise((r) => metricsServer.close(r));
      await Promise.all([stop(), db.destroy(), temporal.close()]);
    },
  };
}

/** Logs in and returns the bearer token. */
export async function login(
  api: TestApi,
  username = 'admin',
  password = ADMIN_PASSWORD,
  prefix = '/panel',
): Promise<string> {
  const res = await api.request('POST', `${prefix}/v1/auth/login`, { body: { username, password } });
  if (res.status !== 200) throw new Error(`login as ${username} failed: ${res.status} ${res.text}`);
  return res.body.token;
}

/** Polls until `check` returns a value (not undefined), or fails after the timeout. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let counter = 0;
/** A domain no other test uses. */
export const uniqueDomain = (label = 'site') =>
  `${label}-${process.pid}-${Date.now().toString(36)}-${counter++}.test`;

let ipCounter = 0;
/**
 * An address no other test logs in from, sent as X-Forwarded-For to an API started with
 * TRUST_PROXY=true: login limits count per IP, and every test otherwise comes from 127.0.0.1.
 */
export function uniqueIp(): string {
  const n = ((process.pid & 0xffff) << 8) | (ipCounter++ & 0xff);
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** How many answers had each status, e.g. { 401: 5, 429: 5 }. */
export function countStatuses(answers: Res[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { status } of answers) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/**
 * Starts an API for this test file before its tests and logs in, as the bootstrap admin or, with
 * `ownAdmin`, as an admin of the file's own (whose rows no other file touches).
 */
export function useApi(opts: { env?: Record<string, string>; ownAdmin?: boolean } = {}) {
  const ctx = {} as { api: TestApi; token: string; actor: string };
  beforeAll(async () => {
    ctx.api = await startApi(opts.env);
    const who = opts.ownAdmin
      ? await createPanelUser(ctx.api, 'admin')
      : { username: 'admin', password: ADMIN_PASSWORD };
    ctx.actor = who.username;
    ctx.token = await login(ctx.api, who.username, who.password);
  });
  afterAll(() => ctx.api?.close());
  return ctx;
}
