import { Worker } from 'node:worker_threads';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
  statuses: Record<number, number>;
}

// The generator runs in a worker thread (plain JS, no loader), so it does not share a core's
// event loop with the server it measures. `connections` loops, each on its own keep-alive socket.
const GENERATOR = `
const http = require('node:http');
const { parentPort, workerData: w } = require('node:worker_threads');
const agent = new http.Agent({ keepAlive: true, maxSockets: w.connections });
const url = new URL(w.url);
const latencies = []; const statuses = {}; let errors = 0; let i = 0;
const deadline = Date.now() + w.durationMs;
function once() {
  return new Promise((resolve) => {
    const body = w.bodies ? JSON.stringify(w.bodies[i++ % w.bodies.length]) : undefined;
    const started = performance.now();
    const req = http.request({ agent, host: url.hostname, port: url.port, path: url.pathname + url.search, method: w.method,
      headers: { authorization: 'Bearer ' + w.token, ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) } }, (res) => {
      res.resume();
      res.on('end', () => { latencies.push(performance.now() - started); statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1; resolve(); });
    });
    req.on('error', () => { errors++; resolve(); });
    if (body) req.write(body);
    req.end();
  });
}
async function loop() { while (Date.now() < deadline) await once(); }
const t0 = performance.now();
Promise.all(Array.from({ length: w.connections }, loop)).then(() => {
  parentPort.postMessage({ requests: latencies.length, errors, seconds: (performance.now() - t0) / 1000, latenciesMs: latencies, statuses });
  agent.destroy();
});
`;

/** Drives `url` with `connections` concurrent keep-alive loops for `durationMs`; bodies are sent round-robin. */
export function load(opts: { url: string; method: 'GET' | 'POST'; token: string; connections: number; durationMs: number; bodies?: unknown[] }): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(GENERATOR, { eval: true, workerData: opts });
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}
