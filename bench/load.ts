import { Worker } from 'node:worker_threads';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
  statuses: Record<number, number>;
}

// The generator is autocannon (raw keep-alive sockets, a prebuilt request, no http.Agent), run in a
// worker thread so it does not share an event loop with the server it measures. Each of its
// `connections` has one request in flight at a time; every response's latency is kept.
const GENERATOR = `
const autocannon = require('autocannon');
const { parentPort, workerData: w } = require('node:worker_threads');
const latencies = [];
const instance = autocannon({
  url: w.url, connections: w.connections, duration: w.durationMs / 1000, method: w.method,
  headers: { authorization: 'Bearer ' + w.tokens[0], ...(w.bodies ? { 'content-type': 'application/json' } : {}) },
  // Each connection goes round the list: every token with every body.
  requests: w.tokens.flatMap((t) => (w.bodies ?? [undefined]).map((b) => ({ headers: { authorization: 'Bearer ' + t }, ...(b ? { body: JSON.stringify(b) } : {}) }))),
}, (err, r) => {
  if (err) throw err;
  const statuses = {};
  for (const [code, { count }] of Object.entries(r.statusCodeStats)) statuses[code] = count;
  parentPort.postMessage({ requests: latencies.length, errors: r.errors + r.timeouts, seconds: (r.finish - r.start) / 1000, latenciesMs: latencies, statuses });
});
instance.on('response', (client, status, bytes, ms) => latencies.push(ms));
`;

/** Drives `url` with `connections` concurrent keep-alive loops for `durationMs`; tokens (one or several) and bodies are sent round-robin. */
export function load(opts: {
  url: string;
  method: 'GET' | 'POST';
  token: string | string[];
  connections: number;
  durationMs: number;
  bodies?: unknown[];
}): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(GENERATOR, {
      eval: true,
      workerData: { ...opts, tokens: [opts.token].flat() },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}
