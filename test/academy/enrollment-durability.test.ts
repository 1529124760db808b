import { enrollmentWorkflowIdOf } from '../../workflows/academy/ids';
import { eventually } from '../support/api';
import { useAcademy } from '../support/academy';
import { academyProgram, callbackEnv, postXendit, xenditPayload } from '../support/academy-enrollment';
import { createMailbox } from '../support/mailbox';
import { waitForLine } from '../support/processes';
import { activityRecord, killableWorkers, privateNamespace } from '../support/worker-kill';

// This file's enrollments run in a Temporal namespace of its own, on control workers it starts and
// kills (the suite's worker polls the default namespace, so it cannot take over).
const NAMESPACE = `academy-durable-${process.pid}`;
const mailbox = createMailbox();
const workers = killableWorkers(NAMESPACE);
let smtpUrl = '';
const academy = useAcademy(async () => {
  smtpUrl = await mailbox.start();
  return { ...callbackEnv, TEMPORAL_NAMESPACE: NAMESPACE };
});
const controlEnv = () => ({
  WORKER_ROLES: 'control',
  TEMPORAL_NAMESPACE: NAMESPACE,
  ACADEMY_SMTP_URL: smtpUrl,
  PANEL_SSL_RENEW_SCHEDULE: 'off',
  PANEL_BACKUP_SCHEDULE: 'off',
});
beforeAll(async () => {
  await privateNamespace(await academy.api().temporal.client(), NAMESPACE);
}, 60_000);
afterAll(async () => {
  await workers.stopAll();
  await mailbox.close();
});

const until = <T>(what: string, check: () => Promise<T | undefined | null | false>) =>
  eventually(async () => (await check()) || undefined, 90_000, what) as Promise<T>;

describe('a control worker killed while the certificate is being made', () => {
  it('is replaced, and one certificate is issued, stored and mailed', async () => {
    // Killed after the PDF is stored but before Temporal hears the step finished: the retry finds it there.
    const doomed = await workers.start('test/support/slow-host-worker.ts', {
      ...controlEnv(),
      SLOW_ACTIVITY_MS: '0',
      PAUSE_AFTER: 'storeCertificatePdf',
      PAUSE_AFTER_MS: '5000',
    });
    const stored = waitForLine(doomed, /activity done: storeCertificatePdf/, 90_000);
    const { call, api } = academy;
    const learner = await academy.learner();
    const program = await academyProgram(api(), { modules: 2 });
    const base = `/users/${learner.id}/enrollments`;
    const { enrollment, invoice } = (await call('POST', base, learner.token, { programId: program.id })).body
      .data;
    expect((await postXendit(api(), xenditPayload(invoice))).status).toBe(200);
    await until('In Progress', async () => {
      const r = await call('GET', `${base}/${enrollment.id}`, learner.token);
      return r.body.data.enrollment.status === 'In Progress';
    });
    for (const moduleId of program.moduleIds)
      expect(
        (await call('POST', `${base}/${enrollment.id}/modules/${moduleId}/complete`, learner.token)).status,
      ).toBe(200);

    await stored;
    await workers.kill(doomed);
    const certificates = () => api().db('academy.certificates').where({ enrollment_id: enrollment.id });
    expect(await certificates()).toHaveLength(1);
    expect(mailbox.mails.filter((m) => m.to === learner.email)).toHaveLength(0);

    await workers.start('worker/index.ts', controlEnv());
    const workflowId = enrollmentWorkflowIdOf(enrollment.id);
    const client = await api().temporal.client();
    expect(await client.workflow.getHandle(workflowId).result()).toBe('completed');
    const [certificate] = await certificates();
    expect(await certificates()).toHaveLength(1);
    expect(certificate.pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(mailbox.mails.filter((m) => m.to === learner.email)).toHaveLength(1);
    expect(mailbox.mails.find((m) => m.to === learner.email)?.text).toContain(certificate.number);
    expect(
      (await call('GET', `${base}/${enrollment.id}`, learner.token)).body.data.enrollment.certificateId,
    ).toBe(certificate.id);
    const { completed, attempts } = await activityRecord(client, workflowId);
    expect(completed).toEqual(['storeCertificatePdf', 'mailCertificate']);
    expect(attempts.storeCertificatePdf).toBeGreaterThanOrEqual(2);
  });
});
