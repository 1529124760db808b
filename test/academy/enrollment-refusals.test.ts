import { enrollmentWorkflowIdOf } from '../../workflows/academy/ids';
import { countStatuses, eventually, startApi, type TestApi } from '../support/api';
import { academyAccount, academyCall, useAcademy } from '../support/academy';
import {
  academyProgram,
  callbackEnv,
  midtransPayload,
  postMidtrans,
  postXendit,
  xenditPayload,
  type Invoice,
} from '../support/academy-enrollment';
import { saveHistory } from '../support/histories';

const academy = useAcademy(callbackEnv);
const { call } = academy;

async function enroll(modules = 2) {
  const learner = await academy.learner();
  const program = await academyProgram(academy.api(), { modules });
  const r = await call('POST', `/users/${learner.id}/enrollments`, learner.token, { programId: program.id });
  expect(r.status).toBe(201);
  return { learner, program, enrollment: r.body.data.enrollment, invoice: r.body.data.invoice as Invoice };
}
const invoiceRow = (id: number) => academy.api().db('academy.invoices').where({ id }).first();
const noticesOf = (invoiceId: number) =>
  academy.api().db('academy.payment_notices').where({ invoice_id: invoiceId });
const noticeCount = async () =>
  Number((await academy.api().db('academy.payment_notices').count({ n: '*' }))[0].n);

describe('enrolling: refusals', () => {
  it('refuses an unknown program (404), an inactive one (400) and a programId that is not a whole number (400)', async () => {
    const learner = await academy.learner();
    const inactive = await academyProgram(academy.api(), { status: 'inactive' });
    const unknown = await call('POST', `/users/${learner.id}/enrollments`, learner.token, {
      programId: 2147483000,
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatchObject({ success: false, statusCode: 404, data: null });
    expect(unknown.body.errors[0].field).toBe('programId');
    const closed = await call('POST', `/users/${learner.id}/enrollments`, learner.token, {
      programId: inactive.id,
    });
    expect(closed.status).toBe(400);
    expect(closed.body.errors[0].field).toBe('programId');
    for (const programId of ['1', 1.5, null, -1]) {
      const bad = await call('POST', `/users/${learner.id}/enrollments`, learner.token, { programId });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0].field).toBe('programId');
    }
    expect(await academy.api().db('academy.enrollments').where({ user_id: learner.id })).toHaveLength(0);
  });

  it('makes one enrollment of ten sent at once to the same program; the others are 409 naming programId', async () => {
    const learner = await academy.learner();
    const program = await academyProgram(academy.api());
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        call('POST', `/users/${learner.id}/enrollments`, learner.token, { programId: program.id }),
      ),
    );
    expect(countStatuses(answers)).toEqual({ 201: 1, 409: 9 });
    expect(answers.find((a) => a.status === 409)?.body.errors[0].field).toBe('programId');
    expect(await academy.api().db('academy.enrollments').where({ user_id: learner.id })).toHaveLength(1);
    expect(await academy.api().db('academy.invoices').where({ user_id: learner.id })).toHaveLength(1);
  });

  it('gives open invoices distinct virtual account numbers', async () => {
    const made = await Promise.all(Array.from({ length: 8 }, () => enroll(1)));
    expect(new Set(made.map((m) => m.invoice.virtualAccountNumber)).size).toBe(8);
  });
});

describe('payment callbacks: refusals', () => {
  it('refuses a bad or missing Xendit token and a bad Midtrans signature: 400, nothing stored or changed', async () => {
    const { invoice } = await enroll();
    const before = await noticeCount();
    const bad = await postXendit(academy.api(), xenditPayload(invoice), 'not-the-token');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0]).toMatchObject({ code: 'invalid_signature' });
    const none = await academy.api().request('POST', '/academy/api/v1/payments/callbacks/xendit', {
      body: xenditPayload(invoice),
    });
    expect(none.status).toBe(400);
    const forged = await postMidtrans(academy.api(), midtransPayload(invoice, {}, 'another-server-key'));
    expect(forged.status).toBe(400);
    const tampered = { ...midtransPayload(invoice), gross_amount: '1.00' };
    expect((await postMidtrans(academy.api(), tampered)).status).toBe(400);
    expect(await noticeCount()).toBe(before);
    expect(await invoiceRow(invoice.id)).toMatchObject({ status: 'Unpaid', paid_at: null });
  });

  it('refuses a callback for an unknown invoice (404 external_id), stored with its refusal; a replay answers the same', async () => {
    const payload = xenditPayload({ id: 999999999, virtualAccountNumber: '8808000000000', amountIDR: 1000 });
    const first = await postXendit(academy.api(), payload);
    expect(first.status).toBe(404);
    expect(first.body.errors[0].field).toBe('external_id');
    const replay = await postXendit(academy.api(), payload);
    expect(replay.status).toBe(404);
    expect(replay.body.errors[0].field).toBe('external_id');
    const stored = await academy
      .api()
      .db('academy.payment_notices')
      .where({ provider: 'xendit', event_id: payload.id });
    expect(stored).toHaveLength(1);
    expect(stored[0].outcome).toMatch(/^refused: /);
  });

  it('refuses another amount or another virtual account: recorded, never applied (422 naming the field)', async () => {
    const { invoice, enrollment } = await enroll();
    const short = await postXendit(academy.api(), xenditPayload(invoice, { amount: invoice.amountIDR - 1 }));
    expect(short.status).toBe(422);
    expect(short.body.errors[0].field).toBe('amount');
    const fraction = await postMidtrans(
      academy.api(),
      midtransPayload(invoice, { gross_amount: `${invoice.amountIDR}.50` }),
    );
    expect(fraction.status).toBe(422);
    expect(fraction.body.errors[0].field).toBe('gross_amount');
    const elsewhere = await postXendit(
      academy.api(),
      xenditPayload(invoice, { account_number: '8808999999999' }),
    );
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body.errors[0].field).toBe('account_number');
    expect(await invoiceRow(invoice.id)).toMatchObject({ status: 'Unpaid', paid_at: null });
    expect((await noticesOf(invoice.id)).map((n) => n.outcome)).toEqual([
      expect.stringMatching(/^refused: payment of 149999 IDR does not match/),
      expect.stringMatching(/^refused: payment of 150000.50 IDR/),
      expect.stringMatching(/^refused: paid into another virtual account/),
    ]);
    // The right payment still goes through.
    expect((await postXendit(academy.api(), xenditPayload(invoice))).status).toBe(200);
    expect(await invoiceRow(invoice.id)).toMatchObject({ status: 'Paid', paid_by: 'xendit' });
    await eventually(
      async () =>
        (await academy.api().db('academy.enrollments').where({ id: enrollment.id }).first()).status ===
          'In Progress' || undefined,
      60_000,
      'the enrollment to open',
    );
  });

  it("applies one payment when the same callback and another provider's arrive at once", async () => {
    const { invoice } = await enroll();
    const xendit = xenditPayload(invoice);
    const answers = await Promise.all([
      ...Array.from({ length: 5 }, () => postXendit(academy.api(), xendit)),
      ...Array.from({ length: 3 }, () => postMidtrans(academy.api(), midtransPayload(invoice))),
    ]);
    const paid = answers.filter((a) => a.status === 200 && a.body.data.outcome === 'paid');
    const refused = answers.filter((a) => a.status === 409);
    expect(paid.length + refused.length).toBe(8);
    // Either Xendit's (all five answers, one notice) or one Midtrans notice won; every other was refused.
    const row = await invoiceRow(invoice.id);
    expect(row.status).toBe('Paid');
    const applied = (await noticesOf(invoice.id)).filter((n) => n.outcome === 'paid');
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatchObject({ provider: row.paid_by, event_id: row.paid_ref });
    expect(paid).toHaveLength(row.paid_by === 'xendit' ? 5 : 1);
  });

  it('refuses a second payment of a paid invoice (409), recorded for an operator', async () => {
    const { invoice } = await enroll();
    expect((await postXendit(academy.api(), xenditPayload(invoice))).status).toBe(200);
    const again = await postMidtrans(academy.api(), midtransPayload(invoice));
    expect(again.status).toBe(409);
    expect(again.body.errors[0].field).toBe('order_id');
    expect(await invoiceRow(invoice.id)).toMatchObject({ paid_by: 'xendit' });
  });
});

describe('an unpaid enrollment at its due time', () => {
  let shortApi: TestApi;
  beforeAll(async () => {
    shortApi = await startApi({ ...callbackEnv, ACADEMY_PAYMENT_DUE_SECONDS: '2' });
  });
  afterAll(() => shortApi?.close());

  it('expires (enrollment and invoice say so); its callback is refused; the learner may enroll again', async () => {
    const learner = await academyAccount(shortApi);
    const program = await academyProgram(shortApi);
    const short = academyCall(shortApi);
    const r = await short('POST', `/users/${learner.id}/enrollments`, learner.token, {
      programId: program.id,
    });
    expect(r.status).toBe(201);
    const { enrollment, invoice } = r.body.data;
    const expired = await eventually(
      async () => {
        const e = await short('GET', `/users/${learner.id}/enrollments/${enrollment.id}`, learner.token);
        return e.body.data.enrollment.status === 'Expired' ? e.body.data.enrollment : undefined;
      },
      60_000,
      'the enrollment to expire',
    );
    expect(expired.invoice).toMatchObject({ status: 'Expired', paidAt: null });
    const late = await postXendit(shortApi, xenditPayload(invoice));
    expect(late.status).toBe(409);
    expect(late.body.errors[0]).toMatchObject({
      field: 'external_id',
      message: expect.stringMatching(/expired/),
    });
    expect((await shortApi.db('academy.invoices').where({ id: invoice.id }).first()).status).toBe('Expired');
    const again = await short('POST', `/users/${learner.id}/enrollments`, learner.token, {
      programId: program.id,
    });
    expect(again.status).toBe(201);
    const client = await shortApi.temporal.client();
    const workflowId = enrollmentWorkflowIdOf(enrollment.id);
    expect(await client.workflow.getHandle(workflowId).result()).toBe('expired');
    await saveHistory(shortApi, workflowId, 'academy/enrollment-expired');
  });
});

describe("ownership: a learner never reaches another learner's enrollments or certificates", () => {
  it("answers 404 on every /users/{userId}/enrollments|certificates route with a second learner's ids", async () => {
    const admin = await academy.admin();
    const a = await enroll();
    const b = await academy.learner();
    const certificate = (
      await call('POST', `/users/${a.learner.id}/certificates`, admin.token, { programId: a.program.id })
    ).body.data.certificate;
    const A = a.learner.id;
    const [E, M, C] = [a.enrollment.id, a.program.moduleIds[0], certificate.id];
    const asB: [string, string, unknown?][] = [
      ['GET', `/users/${A}/enrollments`],
      ['GET', `/users/${A}/enrollments/${E}`],
      ['POST', `/users/${A}/enrollments`, { programId: a.program.id }],
      ['POST', `/users/${A}/enrollments/${E}/modules/${M}/complete`],
      ['GET', `/users/${A}/certificates`],
      ['GET', `/users/${A}/certificates/${C}`],
      ['GET', `/users/${A}/certificates/${C}/download`],
      // B's own userId with A's enrollment and certificate ids.
      ['GET', `/users/${b.id}/enrollments/${E}`],
      ['POST', `/users/${b.id}/enrollments/${E}/modules/${M}/complete`],
      ['GET', `/users/${b.id}/certificates/${C}`],
      ['GET', `/users/${b.id}/certificates/${C}/download`],
    ];
    for (const [method, path, body] of asB) {
      const r = await call(method, path, b.token, body);
      expect([method, path, r.status]).toEqual([method, path, 404]);
    }
    // Admin-only routes refuse a learner, on their own ids too.
    const adminOnly: [string, string, unknown?][] = [
      ['PATCH', `/users/${A}/enrollments/${E}`, { status: 'Cancelled' }],
      ['DELETE', `/users/${A}/enrollments/${E}`],
      ['POST', `/users/${A}/certificates`, { programId: a.program.id }],
      ['PATCH', `/users/${A}/certificates/${C}`, { status: 'Revoked' }],
      ['DELETE', `/users/${A}/certificates/${C}`],
    ];
    for (const [method, path, body] of adminOnly) {
      for (const token of [b.token, a.learner.token]) {
        const r = await call(method, path, token, body);
        expect([method, path, r.status]).toEqual([method, path, 403]);
      }
    }
    // Nothing of A's changed.
    expect(
      (await call('GET', `/users/${A}/enrollments/${E}`, a.learner.token)).body.data.enrollment,
    ).toMatchObject({
      status: 'Unpaid',
      progressPercentage: 0,
    });
    expect(
      (await call('GET', `/users/${A}/certificates/${C}`, a.learner.token)).body.data.certificate.status,
    ).toBe('Valid');
    expect((await call('GET', `/users/${A}/enrollments`, b.token)).status).toBe(404);
  });

  it('answers 400 naming the parameter for ids that are not whole numbers', async () => {
    const { learner, enrollment } = await enroll();
    for (const [path, field] of [
      [`/users/${learner.id}/enrollments/abc`, 'enrollmentId'],
      [`/users/${learner.id}/enrollments/${enrollment.id}/modules/1.5/complete`, 'moduleId'],
      [`/users/${learner.id}/certificates/x1`, 'certificateId'],
    ]) {
      const r = await call(path.endsWith('complete') ? 'POST' : 'GET', path, learner.token);
      expect([path, r.status, r.body.errors[0].field]).toEqual([path, 400, field]);
    }
  });
});

describe('admins', () => {
  it('cancel, refuse impossible changes, delete an enrollment (its workflow ends), and issue, revoke and delete certificates', async () => {
    const admin = await academy.admin();
    const { learner, enrollment, invoice, program } = await enroll();
    const path = `/users/${learner.id}/enrollments/${enrollment.id}`;
    const complete = await call('PATCH', path, admin.token, { status: 'Completed' });
    expect(complete.status).toBe(409);
    expect(complete.body.errors[0].field).toBe('status');
    expect((await call('PATCH', path, admin.token, {})).status).toBe(400);
    const cancelled = await call('PATCH', path, admin.token, { status: 'Cancelled' });
    expect(cancelled.body.data.enrollment).toMatchObject({
      status: 'Cancelled',
      invoice: { status: 'Cancelled' },
    });
    expect((await postXendit(academy.api(), xenditPayload(invoice))).status).toBe(409);
    const client = await academy.api().temporal.client();
    expect(await client.workflow.getHandle(enrollmentWorkflowIdOf(enrollment.id)).result()).toBe('cancelled');

    const next = await call('POST', `/users/${learner.id}/enrollments`, learner.token, {
      programId: program.id,
    });
    expect(next.status).toBe(201);
    const deleted = await call(
      'DELETE',
      `/users/${learner.id}/enrollments/${next.body.data.enrollment.id}`,
      admin.token,
    );
    expect(deleted.body).toEqual({
      success: true,
      statusCode: 200,
      message: expect.any(String),
      data: null,
      errors: null,
    });
    expect(
      (await call('GET', `/users/${learner.id}/enrollments/${next.body.data.enrollment.id}`, learner.token))
        .status,
    ).toBe(404);
    expect(
      await client.workflow.getHandle(enrollmentWorkflowIdOf(next.body.data.enrollment.id)).result(),
    ).toBe('cancelled');

    const issued = await call('POST', `/users/${learner.id}/certificates`, admin.token, {
      programId: program.id,
      learnerName: 'Dewi Lestari',
    });
    expect(issued.status).toBe(201);
    const cert = issued.body.data.certificate;
    expect(cert).toMatchObject({
      learnerName: 'Dewi Lestari',
      programTitle: program.title,
      downloadUrl: expect.any(String),
    });
    const revoked = await call('PATCH', `/users/${learner.id}/certificates/${cert.id}`, admin.token, {
      status: 'Revoked',
    });
    expect(revoked.body.data.certificate.status).toBe('Revoked');
    expect(
      (await call('GET', `/certificates/verify/${cert.verificationCode}`)).body.data.certificate,
    ).toMatchObject({
      status: 'Revoked',
      valid: false,
    });
    expect((await call('DELETE', `/users/${learner.id}/certificates/${cert.id}`, admin.token)).status).toBe(
      200,
    );
    expect((await call('GET', `/certificates/verify/${cert.verificationCode}`)).status).toBe(404);
    const unknownProgram = await call('POST', `/users/${learner.id}/certificates`, admin.token, {
      programId: 2147483000,
    });
    expect(unknownProgram.body.errors[0].field).toBe('programId');
  });
});
