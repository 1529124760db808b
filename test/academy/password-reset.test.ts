import { eventually } from '../support/api';
import { ACADEMY_PASSWORD, useAcademy } from '../support/academy';
import { createMailbox } from '../support/mailbox';

// A real SMTP server on this machine receives the reset mail; the API sends it through nodemailer.
const mailbox = createMailbox();
const { mails } = mailbox;
const academy = useAcademy(async () => ({
  ACADEMY_SMTP_URL: await mailbox.start(),
  ACADEMY_RESET_URL: 'https://academy.example/reset',
}));
afterAll(() => mailbox.close());
const { call } = academy;
const NEW_PASSWORD = 'Brand-New-Passw0rd!';

/** Asks for a reset of `email` and reads the token from the mail the SMTP server received. */
async function mailedToken(email: string) {
  const before = mails.length;
  const res = await call('POST', '/auth/forgot-password', undefined, { email });
  expect(res.body).toEqual({
    success: true,
    statusCode: 200,
    message: 'Successfully sent password reset link to your email.',
    data: { user: { email } },
    errors: null,
  });
  const mail = await eventually(
    async () => mails.slice(before).find((m) => m.to === email),
    10_000,
    'the reset mail',
  );
  const token = /https:\/\/academy\.example\/reset\?token=([0-9a-f]{64})/.exec(
    // The body is quoted-printable: undo its soft line breaks and its escaped '='.
    mail.text.replace(/=\r?\n/g, '').replace(/=3D/g, '='),
  )?.[1];
  expect(token).toBeDefined();
  return token as string;
}

describe('academy password reset', () => {
  it('mails a single-use link; the reset ends every earlier token and session', async () => {
    const me = await academy.learner();
    const older = await mailedToken(me.email);
    const token = await mailedToken(me.email);

    const weak = await call('POST', '/auth/reset-password', undefined, {
      token,
      newPassword: 'newpassword',
      confirmNewPassword: 'newpassword',
    });
    expect([weak.status, weak.body.errors]).toEqual([
      400,
      [{ field: 'newPassword', message: 'must be at least 12 characters', code: 'invalid_request' }],
    ]);
    const mismatch = await call('POST', '/auth/reset-password', undefined, {
      token,
      newPassword: NEW_PASSWORD,
      confirmNewPassword: `${NEW_PASSWORD}x`,
    });
    expect([mismatch.status, mismatch.body.errors[0].field]).toEqual([400, 'confirmNewPassword']);

    // Neither refusal spent the token.
    const reset = await call('POST', '/auth/reset-password', undefined, {
      token,
      newPassword: NEW_PASSWORD,
      confirmNewPassword: NEW_PASSWORD,
    });
    expect(reset.body).toEqual({
      success: true,
      statusCode: 200,
      message: 'Successfully reset your password.',
      data: { user: { email: me.email } },
      errors: null,
    });
    expect((await call('GET', `/users/${me.id}`, me.token)).status).toBe(401);
    for (const spent of [token, older]) {
      const again = await call('POST', '/auth/reset-password', undefined, {
        token: spent,
        newPassword: 'Other-New-Passw0rd!',
        confirmNewPassword: 'Other-New-Passw0rd!',
      });
      expect([again.status, again.body.errors[0].field]).toEqual([400, 'token']);
    }
    const oldLogin = await call('POST', '/auth/login', undefined, {
      email: me.email,
      password: ACADEMY_PASSWORD,
    });
    expect(oldLogin.status).toBe(401);
    const newLogin = await call('POST', '/auth/login', undefined, {
      email: me.email,
      password: NEW_PASSWORD,
    });
    expect(newLogin.status).toBe(200);
  });

  it('answers an unknown email the same way and mails nothing', async () => {
    const before = mails.length;
    const email = `nobody-${Date.now()}@academy.test`;
    const res = await call('POST', '/auth/forgot-password', undefined, { email });
    expect(res.body).toEqual({
      success: true,
      statusCode: 200,
      message: 'Successfully sent password reset link to your email.',
      data: { user: { email } },
      errors: null,
    });
    // A known address's mail, asked after it, arrives alone.
    const me = await academy.learner();
    await mailedToken(me.email);
    expect(mails.slice(before).map((m) => m.to)).toEqual([me.email]);
  });

  it('sends at most 3 links an hour to one address, known or not, then 429 naming email', async () => {
    const me = await academy.learner();
    for (let i = 0; i < 3; i++) await mailedToken(me.email);
    const unknown = `nobody-${Date.now()}@academy.test`;
    for (let i = 0; i < 3; i++)
      expect((await call('POST', '/auth/forgot-password', undefined, { email: unknown })).status).toBe(200);
    for (const email of [me.email, unknown]) {
      const res = await call('POST', '/auth/forgot-password', undefined, { email });
      expect([res.status, res.body.errors[0].field, res.headers.get('retry-after')]).toEqual([
        429,
        'email',
        expect.stringMatching(/^\d+$/),
      ]);
    }
  });

  it('refuses an expired token naming it', async () => {
    const me = await academy.learner();
    const token = await mailedToken(me.email);
    await academy
      .api()
      .db('academy.password_resets')
      .where({ user_id: me.id })
      .update({ expires_at: new Date(Date.now() - 1000) });
    const res = await call('POST', '/auth/reset-password', undefined, {
      token,
      newPassword: NEW_PASSWORD,
      confirmNewPassword: NEW_PASSWORD,
    });
    expect(res.body).toMatchObject({
      statusCode: 400,
      message: 'token: is invalid, used or expired; ask for a new one',
      errors: [{ field: 'token' }],
    });
  });

  it('two resets with one token at once: one succeeds, the other is refused', async () => {
    const me = await academy.learner();
    const token = await mailedToken(me.email);
    const both = await Promise.all(
      ['First-New-Passw0rd!', 'Second-New-Passw0rd!'].map((p) =>
        call('POST', '/auth/reset-password', undefined, { token, newPassword: p, confirmNewPassword: p }),
      ),
    );
    expect(both.map((r) => r.status).sort()).toEqual([200, 400]);
  });
});
