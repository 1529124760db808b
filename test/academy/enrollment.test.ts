import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { enrollmentWorkflowIdOf } from '../../workflows/academy/ids';
import { eventually } from '../support/api';
import { useAcademy } from '../support/academy';
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
import { createMailbox } from '../support/mailbox';
import { killableWorkers, privateNamespace } from '../support/worker-kill';

// The certificate's mail is sent by the worker: this file's enrollments run in a Temporal namespace
// of its own, on a control worker it starts with its local SMTP server.
const NAMESPACE = `academy-enroll-${process.pid}`;
const mailbox = createMailbox();
const workers = killableWorkers(NAMESPACE);
let smtpUrl = '';
const academy = useAcademy(async () => {
  smtpUrl = await mailbox.start();
  return { ...callbackEnv, TEMPORAL_NAMESPACE: NAMESPACE };
});
beforeAll(async () => {
  await privateNamespace(await academy.api().temporal.client(), NAMESPACE);
  await workers.start('worker/index.ts', {
    WORKER_ROLES: 'control',
    TEMPORAL_NAMESPACE: NAMESPACE,
    ACADEMY_SMTP_URL: smtpUrl,
    PANEL_SSL_RENEW_SCHEDULE: 'off',
    PANEL_BACKUP_SCHEDULE: 'off',
  });
}, 120_000);
afterAll(async () => {
  await workers.stopAll();
  await mailbox.close();
});

const until = <T>(what: string, check: () => Promise<T | undefined | null | false>) =>
  eventually(async () => (await check()) || undefined, 90_000, what) as Promise<T>;

/** Enrolls, pays with `pay`, completes every module, and checks the certificate end to end. */
async function enrollPayComplete(pay: (inv: Invoice) => Promise<{ status: number; body: unknown }>) {
  const { call, api } = academy;
  const learner = await academy.learner();
  const { full_name: name } = await api().db('academy.users').where({ id: learner.id }).first('full_name');
  const program = await academyProgram(api(), { modules: 3, priceIdr: 150000 });
  const base = `/users/${learner.id}/enrollments`;

  const enrolled = await call('POST', base, learner.token, { programId: program.id });
  expect(enrolled.status).toBe(201);
  const { enrollment, invoice } = enrolled.body.data;
  expect(enrollment).toMatchObject({ programId: program.id, progressPercentage: 0, status: 'Unpaid' });
  expect(invoice).toMatchObject({
    amountIDR: 150000,
    status: 'Unpaid',
    virtualAccountNumber: expect.stringMatching(/^\d{13}$/),
  });
  const due = Date.parse(invoice.paymentDueDatetime) - Date.now();
  expect(due).toBeGreaterThan(2.9 * 86400_000);
  expect(due).toBeLessThanOrEqual(3 * 86400_000);
  // Modules open only once paid.
  const early = await call(
    'POST',
    `${base}/${enrollment.id}/modules/${program.moduleIds[0]}/complete`,
    learner.token,
  );
  expect(early.status).toBe(409);
  expect(early.body.errors[0].field).toBe('enrollmentId');

  const content = async () =>
    (await call('GET', `/programs/${program.id}/modules/${program.moduleIds[0]}`, learner.token)).body.data
      .module.content;
  expect(await content()).toBeNull();

  const paid = await pay(invoice);
  expect(paid).toMatchObject({ status: 200, body: { data: { outcome: 'paid', invoiceId: invoice.id } } });
  await until('the enrollment to be In Progress', async () => {
    const r = await call('GET', `${base}/${enrollment.id}`, learner.token);
    return r.body.data.enrollment.status === 'In Progress' && r.body.data.enrollment;
  });

  // Paid: the program's modules open to the learner.
  expect(await content()).toBe('Lesson 1');

  const progress: number[] = [];
  for (const moduleId of program.moduleIds) {
    const r = await call('POST', `${base}/${enrollment.id}/modules/${moduleId}/complete`, learner.token);
    expect(r.status).toBe(200);
    progress.push(r.body.data.enrollment.progressPercentage);
  }
  expect(progress).toEqual([33.33, 66.67, 100]);
  const done = await call('GET', `${base}/${enrollment.id}`, learner.token);
  expect(done.body.data.enrollment).toMatchObject({ status: 'Completed', completedAt: expect.any(String) });

  const certificateId = await until<number>('the certificate to be recorded', async () => {
    const r = await call('GET', `${base}/${enrollment.id}`, learner.token);
    return r.body.data.enrollment.certificateId;
  });
  const mail = await until<{ to: string; text: string }>('the certificate mail', async () =>
    mailbox.mails.find((m) => m.to === learner.email),
  );
  const certificate = (await call('GET', `/users/${learner.id}/certificates/${certificateId}`, learner.token))
    .body.data.certificate;
  expect(certificate).toMatchObject({
    enrollmentId: enrollment.id,
    programId: program.id,
    learnerName: name,
    programTitle: program.title,
    status: 'Valid',
    certificateNumber: expect.stringMatching(/^ACAD-\d{4}-\d{6,}$/),
    verificationCode: expect.stringMatching(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/),
    downloadUrl: expect.stringContaining(
      `/academy/api/v1/users/${learner.id}/certificates/${certificateId}/download`,
    ),
  });
  expect(mail.text).toContain(certificate.certificateNumber);
  expect(mail.text).toContain('application/pdf');

  const pdf = await fetch(`${api().url}${new URL(certificate.downloadUrl).pathname}`, {
    headers: { authorization: `Bearer ${learner.token}` },
  });
  expect(pdf.status).toBe(200);
  expect(pdf.headers.get('content-type')).toBe('application/pdf');
  const file = path.join(process.env.TEST_DATA_DIR ?? '/tmp', `certificate-${certificateId}.pdf`);
  writeFileSync(file, Buffer.from(await pdf.arrayBuffer()));
  const { stdout } = await promisify(execFile)('pdftotext', ['-layout', file, '-']);
  expect(stdout).toContain(name);
  expect(stdout).toContain(certificate.certificateNumber);
  expect(stdout).toContain(certificate.verificationCode);
  expect(stdout).toContain(program.title);

  const verified = await call('GET', `/certificates/verify/${certificate.verificationCode}`);
  expect(verified.body.data.certificate).toMatchObject({ learnerName: name, valid: true });
  const listed = await call('GET', `/users/${learner.id}/certificates`, learner.token);
  expect(listed.body.data.certificates.map((c: { id: number }) => c.id)).toEqual([certificateId]);
  expect(listed.body.pagination).toMatchObject({ totalRecords: 1, currentPage: 1, totalPages: 1 });

  const workflowId = enrollmentWorkflowIdOf(enrollment.id);
  const client = await api().temporal.client();
  expect(await client.workflow.getHandle(workflowId).result()).toBe('completed');
  return { learner, enrollment, invoice, certificate, workflowId };
}

describe('a learner enrolls, pays by virtual account, completes the program and gets a certificate', () => {
  it('paid by a signed Xendit callback; its replay changes nothing', async () => {
    let payload: ReturnType<typeof xenditPayload> | undefined;
    const { invoice, enrollment, workflowId } = await enrollPayComplete(async (inv) => {
      payload = xenditPayload(inv);
      return postXendit(academy.api(), payload);
    });
    await saveHistory(academy.api(), workflowId, 'academy/enrollment-lifecycle');
    const before = await academy.api().db('academy.invoices').where({ id: invoice.id }).first();
    const replay = await postXendit(academy.api(), payload);
    expect(replay).toMatchObject({ status: 200, body: { data: { outcome: 'paid' } } });
    expect(await academy.api().db('academy.invoices').where({ id: invoice.id }).first()).toEqual(before);
    expect(await academy.api().db('academy.payment_notices').where({ invoice_id: invoice.id })).toHaveLength(
      1,
    );
    expect(before).toMatchObject({ status: 'Paid', paid_by: 'xendit', paid_ref: payload?.id });
    // The modules this learner completed count in their progress: an admin cannot delete one.
    const admin = await academy.admin();
    const [done] = await academy
      .api()
      .db('academy.module_completions')
      .where({ enrollment_id: enrollment.id });
    const kept = await academy.call(
      'DELETE',
      `/programs/${enrollment.programId}/modules/${done.module_id}`,
      admin.token,
    );
    expect([kept.status, kept.body.errors[0].field]).toEqual([409, 'moduleId']);
  });

  it('paid by a Midtrans bank-transfer notification', async () => {
    const { invoice, workflowId } = await enrollPayComplete((inv) =>
      postMidtrans(academy.api(), midtransPayload(inv)),
    );
    await saveHistory(academy.api(), workflowId, 'academy/enrollment-lifecycle-midtrans');
    expect(await academy.api().db('academy.invoices').where({ id: invoice.id }).first()).toMatchObject({
      status: 'Paid',
      paid_by: 'midtrans',
    });
  });

  it('paid by hand by an admin (PATCH invoiceStatus), which reaches the workflow the same way', async () => {
    const admin = await academy.admin();
    const { workflowId } = await enrollPayComplete(async (inv) => {
      const { user_id: userId, enrollment_id: enrollmentId } = await academy
        .api()
        .db('academy.invoices')
        .where({ id: inv.id })
        .first();
      const r = await academy.call('PATCH', `/users/${userId}/enrollments/${enrollmentId}`, admin.token, {
        invoiceStatus: 'Paid',
      });
      expect(r.body.data.enrollment.invoice).toMatchObject({ status: 'Paid' });
      return { status: r.status, body: { data: { outcome: 'paid', invoiceId: inv.id } } };
    });
    await saveHistory(academy.api(), workflowId, 'academy/enrollment-lifecycle-by-hand');
  });
});
