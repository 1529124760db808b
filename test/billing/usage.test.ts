import { useBilling } from '../support/billing';

const billing = useBilling({ BILLING_BATCH_MAX_EVENTS: '500' });
const { call, customer, subscribe, apiKey } = billing;
const B = '/billing';

describe('billing usage metering', () => {
  it('counts reports exactly, once per event_id, refuses what passes a hard quota with nothing recorded', async () => {
    const c = await customer();
    await subscribe(c.id, { quota_tokens: 10_000, quota_requests: 300 });
    const { key } = await apiKey(c.token);
    const report = (body: unknown, headers?: Record<string, string>) =>
      call('POST', '/api/v1/usage/report', key, body, headers);

    const first = await report({
      event_type: 'tokens_used',
      quantity: 1500,
      endpoint: '/v1/generate',
      event_id: 'evt-1',
    });
    expect(first.body).toEqual({
      success: true,
      data: {
        recorded_at: expect.any(String),
        duplicate: false,
        remaining_quota: { tokens: 8500, requests: 300 },
      },
    });
    expect(
      (await report({ event_type: 'tokens_used', quantity: 1500, event_id: 'evt-1' })).body.data,
    ).toMatchObject({ duplicate: true, remaining_quota: { tokens: 8500 } });
    expect(
      (await report({ event_type: 'api_call', quantity: 1 }, { 'idempotency-key': 'idem-1' })).body.data
        .duplicate,
    ).toBe(false);
    expect(
      (await report({ event_type: 'api_call', quantity: 1 }, { 'idempotency-key': 'idem-1' })).body.data
        .duplicate,
    ).toBe(true);

    for (const [body, message] of [
      [{ event_type: 'api_call', quantity: -1 }, 'quantity: must be positive'],
      [{ event_type: 'api_call', quantity: 1.5 }, 'quantity: must be a whole number'],
      [{ event_type: 'api_call', quantity: '1' }, 'quantity: must be a number'],
      [{ event_type: 'clicks', quantity: 1 }, 'event_type: must be one of: api_call, tokens_used'],
    ] as const)
      expect((await report(body)).body).toEqual({ success: false, data: message, code: 'invalid_request' });

    // 200 reports at once over many connections: every one counted, exactly.
    const results = await Promise.all(
      Array.from({ length: 200 }, () => report({ event_type: 'api_call', quantity: 1 })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const counter = async () => billing.api.db('billing.usage_counters').where({ customer_id: c.id }).first();
    expect(await counter()).toMatchObject({ tokens: '1500', requests: '201' });

    const events = async () =>
      Number(
        (await billing.api.db('billing.usage_events').where({ customer_id: c.id }).count('* as n').first())
          ?.n,
      );
    const stored = await events();
    const over = await report({ event_type: 'tokens_used', quantity: 9000 });
    expect(over.status).toBe(429);
    expect(over.body).toEqual({
      success: false,
      data: 'Quota exceeded',
      code: 'quota_exceeded',
      quota_info: expect.objectContaining({
        used: { tokens: 1500, requests: 201 },
        quota: { tokens: 10_000, requests: 300 },
        remaining: { tokens: 8500, requests: 99 },
        requested: { tokens: 9000, requests: 0 },
      }),
    });
    expect(await events()).toBe(stored);
    expect(await counter()).toMatchObject({ tokens: '1500', requests: '201' });

    expect(
      (await call('GET', '/api/v1/usage/quota-check?tokens_needed=8000&requests_needed=1', key)).body,
    ).toEqual({ success: true, data: { allowed: true, remaining: { tokens: 8500, requests: 99 } } });
    expect((await call('GET', '/api/v1/usage/quota-check?tokens_needed=9000', key)).status).toBe(429);
    expect((await call('GET', '/api/v1/usage/quota-check?tokens_needed=-5', key)).body).toMatchObject({
      success: false,
      data: expect.stringMatching(/^tokens_needed: /),
    });

    const usage = await call('GET', '/api/v1/usage?group_by=day', c.token);
    expect(usage.body.data).toMatchObject({
      tokens_used: 1500,
      requests_made: 201,
      quota: { tokens: 10_000, requests: 300 },
      breakdown: [{ date: new Date().toISOString().slice(0, 10), tokens_used: 1500, requests_made: 201 }],
    });
    const today = new Date().toISOString().slice(0, 10);
    expect(
      (
        await call(
          'GET',
          `/api/v1/usage/history?start_date=${today}&end_date=${today}&granularity=hourly`,
          c.token,
        )
      ).body.data.reduce((s: number, h: { requests_made: number }) => s + h.requests_made, 0),
    ).toBe(201);
    expect(
      (await call('GET', `/api/v1/usage/history?start_date=${today}&end_date=2020-01-01`, c.token)).body,
    ).toMatchObject({ success: false, data: 'end_date: must not be before start_date' });
    expect((await call('GET', '/api/v1/usage/limits', c.token)).body.data).toMatchObject({
      limits: { tokens_monthly: 10_000, requests_monthly: 300 },
      soft_limit: false,
    });

    const stranger = await customer();
    expect((await call('GET', '/api/v1/usage', stranger.token)).body).toEqual({
      success: false,
      data: 'no active subscription: subscribe to a plan first',
      code: 'forbidden',
    });
  });

  it('writes concurrent reports together yet judges each alone: a hard quota admits exactly what fits, an event_id counts once, each customer its own', async () => {
    const [a, b] = [await customer(), await customer()];
    await subscribe(a.id, { quota_tokens: 1000, quota_requests: 50 });
    await subscribe(b.id, { quota_tokens: 100_000, quota_requests: 1000 });
    const [ka, kb] = [(await apiKey(a.token)).key, (await apiKey(b.token)).key];
    const sends: [string, unknown][] = [
      ...Array.from({ length: 80 }, (): [string, unknown] => [ka, { event_type: 'api_call', quantity: 1 }]),
      ...Array.from({ length: 40 }, (_, i): [string, unknown] => [
        kb,
        { event_type: 'api_call', quantity: 1, event_id: `same-${i % 10}` },
      ]),
      ...Array.from({ length: 30 }, (): [string, unknown] => [
        kb,
        { event_type: 'tokens_used', quantity: 7 },
      ]),
    ];
    const answers = await Promise.all(
      sends.map(([key, body]) => call('POST', '/api/v1/usage/report', key, body)),
    );
    const ofA = answers.slice(0, 80);
    const ofB = answers.slice(80);
    expect(ofA.filter((r) => r.status === 200)).toHaveLength(50);
    expect(ofA.filter((r) => r.status === 429).every((r) => r.body.data === 'Quota exceeded')).toBe(true);
    expect(ofA.filter((r) => r.status === 429)).toHaveLength(30);
    expect(ofB.every((r) => r.status === 200)).toBe(true);
    expect(ofB.filter((r) => r.body.data.duplicate)).toHaveLength(30);

    const counter = async (id: string) =>
      billing.api.db('billing.usage_counters').where({ customer_id: id }).first('tokens', 'requests');
    expect(await counter(a.id)).toEqual({ tokens: '0', requests: '50' });
    expect(await counter(b.id)).toEqual({ tokens: '210', requests: '10' });
    expect(
      Number(
        (await billing.api.db('billing.usage_events').where({ customer_id: a.id }).count('* as n').first())
          ?.n,
      ),
    ).toBe(50);
    // Written together: the 40 events of b were stored by fewer statements than events (one now() each).
    const statements = await billing.api
      .db('billing.usage_events')
      .where({ customer_id: b.id })
      .countDistinct('recorded_at as n')
      .first();
    expect(Number(statements?.n)).toBeLessThan(40);
  });

  it('batch-reports: each event accepted or refused whole, duplicates once, over-size batches refused with nothing recorded', async () => {
    const c = await customer();
    await subscribe(c.id, { quota_tokens: 5000, quota_requests: 100 });
    const { key } = await apiKey(c.token);
    const batch = (events: unknown[]) => call('POST', '/api/v1/usage/batch-report', key, { events });
    await call('POST', '/api/v1/usage/report', key, {
      event_type: 'api_call',
      quantity: 1,
      event_id: 'seen-before',
    });

    const res = await batch([
      { event_type: 'tokens_used', quantity: 1500, timestamp: new Date().toISOString(), event_id: 'b-1' },
      { event_type: 'tokens_used', quantity: -3 },
      { event_type: 'api_call', quantity: 1, event_id: 'seen-before' },
      { event_type: 'tokens_used', quantity: 1500, event_id: 'b-1' },
      { event_type: 'tokens_used', quantity: 4000 },
      { event_type: 'api_call', quantity: 2 },
    ]);
    expect(res.body).toEqual({
      success: true,
      data: {
        processed_count: 2,
        duplicate_count: 2,
        failed_count: 2,
        failed: [
          { index: 1, reason: 'quantity: must be positive' },
          { index: 4, reason: 'Quota exceeded' },
        ],
        remaining_quota: { tokens: 3500, requests: 97 },
      },
    });
    const before = await billing.api.db('billing.usage_counters').where({ customer_id: c.id }).first();
    const big = await batch(Array.from({ length: 501 }, () => ({ event_type: 'api_call', quantity: 1 })));
    expect(big.status).toBe(413);
    expect(big.body).toEqual({
      success: false,
      data: 'events: at most 500 per batch (got 501); nothing was recorded',
      code: 'batch_too_large',
    });
    expect(await billing.api.db('billing.usage_counters').where({ customer_id: c.id }).first()).toEqual(
      before,
    );
  });

  it('lets a soft-limit plan go over its quota and reports the overage', async () => {
    const c = await customer();
    await subscribe(c.id, {
      quota_tokens: 100,
      quota_requests: 1,
      soft_limit: true,
      overage_cents_per_1k_tokens: 2,
    });
    const { key } = await apiKey(c.token);
    expect(
      (await call('POST', '/api/v1/usage/report', key, { event_type: 'tokens_used', quantity: 250 })).status,
    ).toBe(200);
    expect((await call('GET', '/api/v1/usage/quota-check?tokens_needed=10', key)).body.data).toEqual({
      allowed: true,
      remaining: { tokens: 0, requests: 1 },
      overage: true,
    });
    expect((await call('GET', '/api/v1/usage', c.token)).body.data.overage).toEqual({
      tokens: 150,
      requests: 0,
    });
  });
});

describe('billing usage refuses what it cannot store', () => {
  /** `levels` objects nested in one another, as a JSON text (JSON.stringify recurses; this does not). */
  const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
  const raw = (key: string, json: string) =>
    billing.api.request('POST', `${B}/api/v1/usage/report`, { token: key, raw: json });
  const counter = async (id: string) =>
    billing.api.db('billing.usage_counters').where({ customer_id: id }).first('tokens', 'requests');
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

  it('should fail with 400 naming the field for metadata too deep or too large, a NUL, or an implausible timestamp', async () => {
    const c = await customer();
    await subscribe(c.id, { quota_tokens: 1000, quota_requests: 100 });
    const { key } = await apiKey(c.token);
    const deep = await raw(key, `{"event_type":"api_call","quantity":1,"metadata":${nested(6000)}}`);
    expect([deep.status, deep.body]).toEqual([
      400,
      { success: false, data: 'metadata: must not nest deeper than 8 levels', code: 'invalid_request' },
    ]);
    for (const [event, message] of [
      [{ metadata: { blob: 'x'.repeat(17_000) } }, 'metadata: must be at most 16384 bytes as JSON'],
      [{ metadata: { note: 'a\u0000b' } }, 'metadata.note: must not contain NUL (\\u0000) characters'],
      [{ endpoint: '/v1/\u0000' }, 'endpoint: must not contain NUL (\\u0000) characters'],
      [{ timestamp: '2026-12-01T10:00:00+17:30' }, 'timestamp: UTC offset must be between -12:00 and +14:00'],
      [
        { timestamp: '0909-01-01T00:00:00Z' },
        'timestamp: must be within the last 35 days and 5 minutes ahead at most',
      ],
      [
        { timestamp: '9999-12-31T00:00:00Z' },
        'timestamp: must be within the last 35 days and 5 minutes ahead at most',
      ],
    ] as const) {
      const res = await call('POST', '/api/v1/usage/report', key, {
        event_type: 'api_call',
        quantity: 1,
        ...event,
      });
      expect([res.status, res.body]).toEqual([
        400,
        { success: false, data: message, code: 'invalid_request' },
      ]);
    }
    expect(await counter(c.id)).toBeUndefined();
    // Within bounds: eight levels, a late event, a real offset.
    const fine = [
      { metadata: JSON.parse(nested(8)) },
      { timestamp: ago(34 * 86_400_000) },
      { timestamp: new Date(Date.now() + 60_000).toISOString().replace('Z', '+00:00') },
      // An hour ago written as a wall clock at +14:00 and at -12:00.
      { timestamp: new Date(Date.now() - 3600_000 + 14 * 3600_000).toISOString().replace('Z', '+14:00') },
      { timestamp: new Date(Date.now() - 3600_000 - 12 * 3600_000).toISOString().replace('Z', '-12:00') },
    ];
    for (const event of fine)
      expect(
        (await call('POST', '/api/v1/usage/report', key, { event_type: 'api_call', quantity: 1, ...event }))
          .status,
      ).toBe(200);
  });

  it('refuses a bad event of a batch alone, recording the rest', async () => {
    const c = await customer();
    await subscribe(c.id, { quota_tokens: 1000, quota_requests: 100 });
    const { key } = await apiKey(c.token);
    const res = await call('POST', '/api/v1/usage/batch-report', key, {
      events: [
        { event_type: 'api_call', quantity: 1 },
        { event_type: 'api_call', quantity: 1, timestamp: '2026-12-01T10:00:00+17:30' },
        { event_type: 'api_call', quantity: 1, metadata: JSON.parse(nested(9)) },
        { event_type: 'api_call', quantity: 1, timestamp: '9999-12-31T00:00:00Z' },
        { event_type: 'api_call', quantity: 2, timestamp: ago(86_400_000) },
      ],
    });
    expect(res.body).toEqual({
      success: true,
      data: {
        processed_count: 2,
        duplicate_count: 0,
        failed_count: 3,
        failed: [
          { index: 1, reason: 'timestamp: UTC offset must be between -12:00 and +14:00' },
          { index: 2, reason: 'metadata: must not nest deeper than 8 levels' },
          { index: 3, reason: 'timestamp: must be within the last 35 days and 5 minutes ahead at most' },
        ],
        remaining_quota: { tokens: 1000, requests: 97 },
      },
    });
  });

  it("does not let one customer's bad reports fail another's concurrent ones", async () => {
    const [a, b] = [await customer(), await customer()];
    await subscribe(a.id, { quota_tokens: 1000, quota_requests: 1000 });
    await subscribe(b.id, { quota_tokens: 100_000, quota_requests: 1000 });
    const [ka, kb] = [(await apiKey(a.token)).key, (await apiKey(b.token)).key];
    const bad = [
      `{"event_type":"api_call","quantity":1,"metadata":${nested(6000)}}`,
      '{"event_type":"api_call","quantity":1,"timestamp":"2026-12-01T10:00:00+17:30"}',
      '{"event_type":"api_call","quantity":1,"metadata":{"k":"\\u0000"}}',
    ];
    const sends = Array.from({ length: 300 }, (_, i) =>
      i % 10 === 0 ? raw(ka, bad[(i / 10) % bad.length]) : raw(kb, '{"event_type":"api_call","quantity":1}'),
    );
    const answers = await Promise.all(sends);
    const ofA = answers.filter((_, i) => i % 10 === 0);
    const ofB = answers.filter((_, i) => i % 10 !== 0);
    expect(ofB.map((r) => r.status)).toEqual(ofB.map(() => 200));
    expect(await counter(b.id)).toEqual({ tokens: '0', requests: '270' });
    expect(ofA.map((r) => r.status)).toEqual(ofA.map(() => 400));
    expect(await counter(a.id)).toBeUndefined();
  });

  it("fails only the report whose value the database refuses, writing every other customer's", async () => {
    // A soft-limit counter at the edge of bigint: one more token report overflows it in the statement.
    const [a, b] = [await customer(), await customer()];
    await subscribe(a.id, { quota_tokens: 1000, quota_requests: 1000, soft_limit: true });
    await subscribe(b.id, { quota_tokens: 100_000, quota_requests: 1000 });
    const { current_period_start } = await billing.api
      .db('billing.subscriptions')
      .where({ customer_id: a.id })
      .first('current_period_start');
    await billing.api.db('billing.usage_counters').insert({
      customer_id: a.id,
      period_start: current_period_start,
      tokens: '9223372036854775000',
      requests: 0,
    });
    const [ka, kb] = [(await apiKey(a.token)).key, (await apiKey(b.token)).key];
    const sends = Array.from({ length: 200 }, (_, i) =>
      i % 20 === 0
        ? call('POST', '/api/v1/usage/report', ka, { event_type: 'tokens_used', quantity: 1_000_000 })
        : call('POST', '/api/v1/usage/report', kb, { event_type: 'api_call', quantity: 1 }),
    );
    const answers = await Promise.all(sends);
    const ofA = answers.filter((_, i) => i % 20 === 0);
    const ofB = answers.filter((_, i) => i % 20 !== 0);
    expect(ofB.map((r) => r.status)).toEqual(ofB.map(() => 200));
    expect(await counter(b.id)).toEqual({ tokens: '0', requests: '190' });
    expect(ofA.map((r) => [r.status, r.body])).toEqual(
      ofA.map(() => [
        422,
        {
          success: false,
          data: 'the event cannot be stored: quantity out of range for its counter',
          code: 'unprocessable',
        },
      ]),
    );
    expect(await counter(a.id)).toEqual({ tokens: '9223372036854775000', requests: '0' });
    // A batch that would overflow it is refused whole, nothing recorded.
    const batch = await call('POST', '/api/v1/usage/batch-report', ka, {
      events: [
        { event_type: 'api_call', quantity: 1 },
        { event_type: 'tokens_used', quantity: 1_000_000 },
      ],
    });
    expect([batch.status, batch.body]).toEqual([
      422,
      {
        success: false,
        data: 'the batch cannot be stored: quantity out of range for its counter',
        code: 'unprocessable',
      },
    ]);
    expect(await counter(a.id)).toEqual({ tokens: '9223372036854775000', requests: '0' });
  });
});
