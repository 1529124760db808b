import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashPassword } from '../../core/crypto';
import { newId } from '../../core/ids';
import { eventually, startApi, type TestApi } from '../support/api';
import { createMailbox } from '../support/mailbox';

// billing mounted at / (MOUNTS=billing=/) behind a public URL: it serves the document's paths as
// written, and the links it prints follow. Mail goes to a real SMTP server on this machine; Stripe
// calls go to the suite's stripe-mock through a pass-through that keeps what was asked of it.
const PUBLIC_URL = 'https://billing.example';
const PASSWORD = 'Billing-Passw0rd!';
const mailbox = createMailbox();
const { mails } = mailbox;
const toStripe: { method: string; path: string; body: string }[] = [];
const stripePassThrough: Server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks).toString('utf8');
    toStripe.push({ method: req.method ?? '', path: req.url ?? '', body });
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)),
    ) as Record<string, string>;
    const answer = await fetch(`${process.env.STRIPE_API_BASE}${req.url}`, {
      method: req.method,
      headers,
      body: body || undefined,
    });
    res.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/json',
    });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
});
let api: TestApi;

beforeAll(async () => {
  const smtpUrl = await mailbox.start();
  await new Promise<void>((resolve) => stripePassThrough.listen(0, '127.0.0.1', resolve));
  api = await startApi({
    MOUNTS: 'billing=/',
    PUBLIC_URL,
    BILLING_SMTP_URL: smtpUrl,
    STRIPE_API_BASE: `http://127.0.0.1:${(stripePassThrough.address() as AddressInfo).port}`,
  });
});
afterAll(async () => {
  await api.close();
  await mailbox.close();
  await new Promise((r) => stripePassThrough.close(r));
});

let hashed: Promise<string> | undefined;
async function customer() {
  const email = `reset-${process.pid}-${newId('c').slice(-10)}@example.com`;
  const id = newId('cus');
  hashed ??= hashPassword(PASSWORD);
  await api.db('billing.customers').insert({ id, name: 'Reset Me', email, password_hash: await hashed });
  const login = await api.request('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  return { id, email, token: login.body.data.token as string };
}
/** Asks for a reset and returns the token the mail carries. */
async function resetToken(email: string): Promise<string> {
  const before = mails.length;
  expect((await api.request('POST', '/api/v1/auth/forgot-password', { body: { email } })).status).toBe(200);
  const mail = await eventually(
    async () => mails.slice(before).find((m) => m.to === email),
    10_000,
    'the reset mail',
  );
  return /rst_[A-Za-z0-9_-]{43}/.exec(mail.text)?.[0] as string;
}
const reset = (token: string, password: string) =>
  api.request('POST', '/api/v1/auth/reset-password', { body: { token, new_password: password } });

describe('a password reset', () => {
  it('voids every other outstanding reset token of the account', async () => {
    const c = await customer();
    const first = await resetToken(c.email);
    const second = await resetToken(c.email);
    expect((await reset(second, 'Second-Billing-Passw0rd!')).body).toEqual({
      success: true,
      data: 'Password reset successfully',
    });
    expect((await reset(first, 'First-Billing-Passw0rd!')).body).toEqual({
      success: false,
      data: 'token: is invalid, used or expired; ask for a new one',
      code: 'invalid_request',
    });
    expect(
      (
        await api.request('POST', '/api/v1/auth/login', {
          body: { email: c.email, password: 'Second-Billing-Passw0rd!' },
        })
      ).status,
    ).toBe(200);
  });

  it('succeeds once when two tokens are spent at the same time', async () => {
    const c = await customer();
    const tokens = [await resetToken(c.email), await resetToken(c.email)];
    const answers = await Promise.all(tokens.map((t, i) => reset(t, `Parallel-${i}-Billing-Passw0rd!`)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
    expect(
      await api
        .db('billing.password_resets')
        .where({ customer_id: c.id })
        .whereNull('used_at')
        .count('* as n')
        .first(),
    ).toEqual({ n: '0' });
  });

  it('mails where to send the token at the mount billing is served at', async () => {
    const c = await customer();
    const before = mails.length;
    await api.request('POST', '/api/v1/auth/forgot-password', { body: { email: c.email } });
    const mail = await eventually(
      async () => mails.slice(before).find((m) => m.to === c.email),
      10_000,
      'the reset mail',
    );
    expect(mail.text.replace(/=\r?\n/g, '')).toContain(`POST ${PUBLIC_URL}/api/v1/auth/reset-password`);
  });
});

describe('links billing prints follow its mount', () => {
  it("an invoice's pdf_url and its payment page's return URLs are at the mount (here /)", async () => {
    const c = await customer();
    const id = newId('inv');
    await api.db('billing.invoices').insert({
      id,
      number: `INV-M-${id.slice(-8)}`,
      customer_id: c.id,
      kind: 'proration',
      status: 'open',
      currency: 'usd',
      line_items: '[]',
      subtotal_cents: 1192,
      total_cents: 1192,
    });
    const detail = await api.request('GET', `/api/v1/invoices/${id}`, { token: c.token });
    expect(detail.body.data.pdf_url).toBe(`${PUBLIC_URL}/api/v1/invoices/${id}/pdf`);
    const pdf = await api.request('GET', new URL(detail.body.data.pdf_url).pathname, { token: c.token });
    expect([pdf.status, pdf.headers.get('content-type')]).toEqual([200, 'application/pdf']);

    expect((await api.request('POST', `/api/v1/invoices/${id}/pay`, { token: c.token })).status).toBe(200);
    const asked = new URLSearchParams(
      toStripe.filter((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions').at(-1)?.body,
    );
    expect([asked.get('success_url'), asked.get('cancel_url')]).toEqual([
      `${PUBLIC_URL}/api/v1/invoices/${id}`,
      `${PUBLIC_URL}/api/v1/invoices/${id}`,
    ]);
    expect(asked.get('line_items[0][price_data][unit_amount]')).toBe('1192');
  });
});
