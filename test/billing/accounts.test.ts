import { sha256 } from '../../core/crypto';
import { countStatuses, eventually, uniqueIp } from '../support/api';
import { useBilling } from '../support/billing';
import { createMailbox } from '../support/mailbox';

// A real SMTP server on this machine receives the reset mail; the API sends it through nodemailer.
const mailbox = createMailbox();
const { mails } = mailbox;
// TRUST_PROXY: a test can log in from an address of its own (X-Forwarded-For).
const billing = useBilling(async () => ({ TRUST_PROXY: 'true', BILLING_SMTP_URL: await mailbox.start() }));
afterAll(() => mailbox.close());
const { call, customer, subscribe, apiKey, email, PASSWORD } = billing;

describe('billing accounts', () => {
  it('registers, logs in with an expiring JWT, reads, updates and deletes the profile', async () => {
    const c = await customer();
    const me = await call('GET', '/api/v1/profile', c.token);
    expect(me.body).toEqual({
      success: true,
      data: {
        id: c.id,
        name: 'John Doe',
        email: c.email,
        company: null,
        role: 'customer',
        created_at: expect.any(String),
      },
    });
    expect(
      (await call('PUT', '/api/v1/profile', c.token, { name: 'John Updated', company: 'Acme Inc' })).body
        .data,
    ).toMatchObject({ name: 'John Updated', company: 'Acme Inc' });
    const login = await call('POST', '/api/v1/auth/login', undefined, { email: c.email, password: PASSWORD });
    expect(Date.parse(login.body.data.expires_at) - Date.now()).toBeGreaterThan(3500_000);

    const key = await apiKey(c.token);
    await subscribe(c.id, { quota_tokens: 1000, quota_requests: 10 });
    expect((await call('DELETE', '/api/v1/profile', c.token)).body).toEqual({
      success: true,
      data: 'Account deleted successfully',
    });
    expect((await call('GET', '/api/v1/profile', c.token)).status).toBe(401);
    expect(
      (await call('POST', '/api/v1/auth/login', undefined, { email: c.email, password: PASSWORD })).status,
    ).toBe(401);
    expect(
      (await call('POST', '/api/v1/usage/report', key.key, { event_type: 'api_call', quantity: 1 })).status,
    ).toBe(401);
    expect(await billing.api.db('billing.subscriptions').where({ customer_id: c.id }).first()).toMatchObject({
      status: 'canceled',
      cancel_reason: 'account deleted',
    });
  });

  it.each([
    [
      { name: 'A', email: 'not-an-email', password: PASSWORD },
      'email',
      'email: must be a valid email address',
    ],
    [
      { name: 'A', email: 'weak@example.com', password: 'password123' },
      'password',
      'password: must be at least 12 characters',
    ],
    [{ email: 'a@example.com', password: PASSWORD }, 'name', 'name: is required'],
  ])('refuses a bad registration %j with 400 naming the field', async (body, field, message) => {
    const res = await call('POST', '/api/v1/auth/register', undefined, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ success: false, data: message, code: 'invalid_request' });
    expect(field).toBe(message.split(':')[0]);
  });

  it('refuses a second registration of an email (409) and wrong passwords (401)', async () => {
    const c = await customer();
    expect(
      (
        await call('POST', '/api/v1/auth/register', undefined, {
          name: 'X',
          email: c.email.toUpperCase(),
          password: PASSWORD,
        })
      ).status,
    ).toBe(409);
    expect(
      (await call('POST', '/api/v1/auth/login', undefined, { email: c.email, password: 'Wrong-Passw0rd!' }))
        .body,
    ).toEqual({ success: false, data: 'invalid email or password', code: 'unauthorized' });
  });

  it('resets a password with the single-use token mailed through SMTP, ending older sessions', async () => {
    const c = await customer('reset');
    const before = mails.length;
    expect((await call('POST', '/api/v1/auth/forgot-password', undefined, { email: c.email })).body).toEqual({
      success: true,
      data: 'Password reset email sent',
    });
    expect(
      (await call('POST', '/api/v1/auth/forgot-password', undefined, { email: email('nobody') })).body,
    ).toEqual({ success: true, data: 'Password reset email sent' });
    const mail = await eventually(
      async () => mails.slice(before).find((m) => m.to === c.email),
      10_000,
      'the reset mail',
    );
    expect(mails.slice(before)).toHaveLength(1); // nothing to the unknown address
    const token = /rst_[A-Za-z0-9_-]{43}/.exec(mail.text)?.[0] as string;
    expect(
      await billing.api
        .db('billing.password_resets')
        .where({ token_hash: sha256(token) })
        .first(),
    ).toBeDefined();
    expect(
      await billing.api.db('billing.password_resets').where({ token_hash: token }).first(),
    ).toBeUndefined(); // only its hash is stored

    expect(
      (await call('POST', '/api/v1/auth/reset-password', undefined, { token, new_password: 'short' })).body,
    ).toMatchObject({ success: false, data: 'new_password: must be at least 12 characters' });
    expect(
      (
        await call('POST', '/api/v1/auth/reset-password', undefined, {
          token,
          new_password: 'New-Billing-Passw0rd!',
        })
      ).body,
    ).toEqual({ success: true, data: 'Password reset successfully' });
    expect((await call('GET', '/api/v1/profile', c.token)).status).toBe(401);
    expect(
      (
        await call('POST', '/api/v1/auth/reset-password', undefined, {
          token,
          new_password: 'Other-Billing-Passw0rd!',
        })
      ).body,
    ).toMatchObject({ success: false, data: 'token: is invalid, used or expired; ask for a new one' });
    const fresh = await call('POST', '/api/v1/auth/login', undefined, {
      email: c.email,
      password: 'New-Billing-Passw0rd!',
    });
    expect((await call('GET', '/api/v1/profile', fresh.body.data.token)).status).toBe(200);
  });
});

describe('billing login under a burst', () => {
  const loginFrom = (ip: string, body: { email: string; password: string }) =>
    call('POST', '/api/v1/auth/login', undefined, body, { 'x-forwarded-for': ip });

  it('checks only 5 of 10 concurrent wrong passwords for one IP+email; the rest get 429', async () => {
    const c = await customer();
    const ip = uniqueIp();
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => loginFrom(ip, { email: c.email, password: `Wrong-${i}` })),
    );
    expect(countStatuses(answers)).toEqual({ 401: 5, 429: 5 });
    expect(answers.find((a) => a.status === 429)?.body).toEqual({
      success: false,
      code: 'rate_limited',
      data: expect.stringMatching(/^too many failed attempts for .+; try again in \d+ s$/),
    });
    expect((await loginFrom(uniqueIp(), { email: c.email, password: PASSWORD })).status).toBe(200);
  });

  it('limits an IP across emails: of 48 concurrent unknown emails 20 are checked, 28 get 429', async () => {
    const ip = uniqueIp();
    const answers = await Promise.all(
      Array.from({ length: 48 }, () => loginFrom(ip, { email: email('nobody'), password: 'Wrong-Guess-1' })),
    );
    expect(countStatuses(answers)).toEqual({ 401: 20, 429: 28 });
    expect(answers.find((a) => a.status === 429)?.body.data).toMatch(
      /^too many failed attempts from this address; try again in \d+ s$/,
    );
  });
});
