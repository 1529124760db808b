import http from 'node:http';
import net from 'node:net';
import { billingAccount } from '../support/billing';
import { labAccount } from '../support/gpu-lab';
import { startApi, type Res, type TestApi } from '../support/api';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string; reusedSocket: boolean };

/**
 * One request through node:http (fetch refuses TRACE), on the given agent. `partial` sends the body
 * without ending the request: the answer must come before the declared length arrived.
 */
function send(
  method: string,
  path: string,
  opts: {
    agent?: http.Agent;
    body?: Buffer | string;
    headers?: http.OutgoingHttpHeaders;
    partial?: boolean;
  } = {},
) {
  return new Promise<Answer>((resolve, reject) => {
    const req = http.request(
      `${api.url}${path}`,
      { method, agent: opts.agent, headers: opts.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            reusedSocket: req.reusedSocket,
          }),
        );
      },
    );
    req.on('error', reject);
    if (opts.partial) req.write(opts.body ?? '');
    else req.end(opts.body);
  });
}

describe('answers carry protective headers', () => {
  it('should send nosniff, refuse framing and forbid caching on every answer, tokens included', async () => {
    const login = await api.request('POST', '/panel/v1/auth/login', {
      body: { username: 'admin', password: 'Bootstrap-Passw0rd!' },
    });
    const billing = await billingAccount(api);
    const key = await api.request('POST', '/billing/api/v1/api-keys', {
      token: billing.token,
      body: { name: 'k' },
    });
    const answers = {
      'panel login': login,
      'billing new API key': key,
      'platform index': await api.request('GET', '/'),
      'gpu-lab 404': await api.request('GET', '/gpu-lab/api/v1/nothing'),
      'billing 400': await api.request('POST', '/billing/api/v1/auth/login', { body: {} }),
    };
    expect([login.status, key.status]).toEqual([200, 201]);
    for (const [what, res] of Object.entries(answers)) {
      const h = (name: string) => res.headers.get(name);
      expect([
        what,
        h('x-content-type-options'),
        h('x-frame-options'),
        h('content-security-policy'),
        h('cache-control'),
      ]).toEqual([what, 'nosniff', 'DENY', "frame-ancestors 'none'", 'no-store']);
    }
    // The docs' static assets are the one thing a browser may cache.
    expect((await api.request('GET', '/docs/assets/swagger-ui.css')).headers.get('cache-control')).toBe(
      'public, max-age=86400',
    );
  });
});

/** The platform's envelope (RFC 9457 problem details) for a 405. */
const platformProblem = (detail: string) => ({
  type: 'about:blank',
  title: 'Method Not Allowed',
  status: 405,
  detail,
  code: 'method_not_allowed',
});

describe('methods nothing serves', () => {
  it.each([
    [
      'TRACE',
      '/panel/v1/sites',
      { error: { code: 'method_not_allowed', message: 'TRACE is not allowed on /v1/sites' } },
    ],
    [
      'PROPFIND',
      '/gpu-lab/api/v1/auth/login',
      {
        success: false,
        message: 'PROPFIND is not allowed on /api/v1/auth/login',
        code: 'method_not_allowed',
      },
    ],
    [
      'TRACE',
      '/billing/health',
      { success: false, data: 'TRACE is not allowed on /health', code: 'method_not_allowed' },
    ],
    ['TRACE', '/', platformProblem('TRACE is not allowed on /')],
    ['PROPFIND', '/healthz', platformProblem('PROPFIND is not allowed on /healthz')],
  ])("should answer %s %s with 405 in that product's envelope", async (method, path, body) => {
    const res = await send(method, path);
    const type = 'status' in body ? 'application/problem+json' : 'application/json; charset=utf-8';
    expect([res.status, res.headers['content-type'], JSON.parse(res.body)]).toEqual([405, type, body]);
  });
  it('should answer a method Node does not know with 405 in the platform envelope', async () => {
    const socket = net.connect(Number(new URL(api.url).port), '127.0.0.1');
    socket.end('FOO /billing/health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const chunks: Buffer[] = [];
    for await (const chunk of socket) chunks.push(chunk as Buffer);
    const [head, body] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 405 Method Not Allowed');
    expect(head).toContain('Content-Type: application/problem+json');
    expect(JSON.parse(body)).toEqual(platformProblem('this method is not allowed'));
  });
});

describe('a body over 1 MiB', () => {
  it('should be answered 413 and leave a keep-alive connection usable for the next request', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await send('GET', '/billing/health', { agent });
      expect(first.status).toBe(200);
      const big = Buffer.alloc(2 * 1024 * 1024, 'a');
      const json = { 'content-type': 'application/json' };
      const tooLarge = await send('POST', '/billing/api/v1/auth/login', { agent, body: big, headers: json });
      expect([tooLarge.status, JSON.parse(tooLarge.body)]).toEqual([
        413,
        { success: false, data: 'request body exceeds 1 MiB', code: 'payload_too_large' },
      ]);
      expect(tooLarge.reusedSocket).toBe(true);
      // Streamed without a length (chunked) as well as declared.
      const chunked = await send('POST', '/panel/v1/auth/login', {
        agent,
        body: big,
        headers: { ...json, 'transfer-encoding': 'chunked' },
      });
      expect(chunked.status).toBe(413);
      const next = await send('GET', '/billing/health', { agent });
      expect([next.status, next.reusedSocket]).toEqual([200, true]);
      // A body declared far larger is not worth reading: answered at once, and that connection closed.
      const huge = await send('POST', '/billing/api/v1/auth/login', {
        agent,
        body: '{"email":',
        headers: { ...json, 'content-length': String(64 * 1024 * 1024) },
        partial: true,
      });
      expect([huge.status, huge.headers.connection]).toEqual([413, 'close']);
      const fresh = await send('GET', '/billing/health', { agent });
      expect([fresh.status, fresh.reusedSocket]).toEqual([200, false]);
    } finally {
      agent.destroy();
    }
  });
});

describe('NUL characters', () => {
  it('should be refused with 400 naming the field, in every product, body, query and path', async () => {
    const billingAdmin = await billingAccount(api, 'admin');
    const labAdmin = await labAccount(api, 'admin');
    const cases: [string, () => Promise<Res>, unknown][] = [
      [
        'panel login username',
        () =>
          api.request('POST', '/panel/v1/auth/login', { body: { username: 'admin\u0000', password: 'x' } }),
        {
          error: {
            code: 'invalid_request',
            message: 'username: must not contain NUL (\\u0000) characters',
            field: 'username',
          },
        },
      ],
      [
        'gpu-lab register name',
        () =>
          api.request('POST', '/gpu-lab/api/v1/auth/register', {
            body: { name: 'Siti\u0000', email: 'siti@lab.test', password: 'Lab-Passw0rd-123' },
          }),
        {
          success: false,
          message: 'name: must not contain NUL (\\u0000) characters',
          code: 'invalid_request',
          field: 'name',
        },
      ],
      [
        'gpu-lab admin search',
        () => api.request('GET', '/gpu-lab/api/v1/users?search=a%00', { token: labAdmin.token }),
        {
          success: false,
          message: 'search: must not contain NUL (\\u0000) characters',
          code: 'invalid_request',
          field: 'search',
        },
      ],
      [
        'billing register name',
        () =>
          api.request('POST', '/billing/api/v1/auth/register', {
            body: { name: 'John\u0000', email: 'john@example.com', password: 'Billing-Passw0rd!' },
          }),
        { success: false, data: 'name: must not contain NUL (\\u0000) characters', code: 'invalid_request' },
      ],
      [
        'billing checkout success session_id',
        () => api.request('GET', '/billing/api/v1/checkout/success?session_id=a%00'),
        {
          success: false,
          data: 'session_id: must not contain NUL (\\u0000) characters',
          code: 'invalid_request',
        },
      ],
      [
        'billing admin customer search',
        () => api.request('GET', '/billing/admin/customers?search=a%00', { token: billingAdmin.token }),
        {
          success: false,
          data: 'search: must not contain NUL (\\u0000) characters',
          code: 'invalid_request',
        },
      ],
      [
        'billing plan features (a key)',
        () =>
          api.request('POST', '/billing/admin/plans', {
            token: billingAdmin.token,
            body: { name: 'NUL plan', price_cents: 1, quota_tokens: 1, features: { 'a\u0000': true } },
          }),
        {
          success: false,
          data: 'features.a\\u0000: must not contain NUL (\\u0000) characters',
          code: 'invalid_request',
        },
      ],
    ];
    for (const [what, request, body] of cases) {
      const res = await request();
      expect([what, res.status, res.body]).toEqual([what, 400, body]);
    }
  });

  it('should refuse input nested deeper than any route takes with 400', async () => {
    const billingAdmin = await billingAccount(api, 'admin');
    const raw = `{"name":"Deep plan","price_cents":1,"quota_tokens":1,"features":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;
    const res = await api.request('POST', '/billing/admin/plans', { token: billingAdmin.token, raw });
    expect(res.status).toBe(400);
    expect(res.body.data).toMatch(/^features(\.a){31}: must not nest deeper than 32 levels$/);
  });
});

describe('the longest email an address may have', () => {
  it('should be an ordinary wrong login (401) in every product that logs in by email', async () => {
    // 254 characters, the most an address may have: with the client's IP it makes a rate-limit key
    // longer than 255 characters, which a varchar(255) column refused with a 500 (found by the fuzzer).
    const email = `0@${'0'.repeat(63)}.${'a'.repeat(63)}.${'a'.repeat(63)}.${'a'.repeat(60)}`;
    expect(email).toHaveLength(254);
    const attempts = [
      ['gpu-lab login', '/gpu-lab/api/v1/auth/login'],
      ['gpu-lab admin login', '/gpu-lab/api/v1/auth/admin/login'],
      ['billing login', '/billing/api/v1/auth/login'],
    ];
    for (const [what, path] of attempts) {
      const res = await api.request('POST', path, { body: { email, password: 'Not-The-Passw0rd' } });
      expect([what, res.status]).toEqual([what, 401]);
    }
  });
});
