import client from 'prom-client';

/** Process-wide Prometheus metrics (one registry per process, created once). */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

export const httpRequests = new client.Counter({
  name: 'dermaga_http_requests_total',
  help: 'HTTP requests answered, by product, method, route template and status',
  labelNames: ['product', 'method', 'route', 'status'],
  registers: [registry],
});

export const httpDuration = new client.Histogram({
  name: 'dermaga_http_request_duration_seconds',
  help: 'HTTP request latency by product, method and route template',
  labelNames: ['product', 'method', 'route'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});

export const workflowStarts = new client.Counter({
  name: 'dermaga_workflow_starts_total',
  help: 'Workflows started by the API, by workflow type and outcome',
  labelNames: ['workflow', 'outcome'],
  registers: [registry],
});
