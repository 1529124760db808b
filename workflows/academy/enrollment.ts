import {
  condition,
  continueAsNew,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CertificateActivities } from '../../activities/academy/certificates';
import type { EnrollmentRecordActivities } from '../../activities/academy/enrollment-records';
import type { EnrollmentInput, EnrollmentOutcome, EnrollmentPhase } from '../../types/academy-enrollment';
import { controlActivity } from '../platform/options';
import { enrollmentCompletedSignal, enrollmentEndedSignal, paymentReceivedSignal } from './definitions';

export type { EnrollmentInput } from '../../types/academy-enrollment';

const records = proxyLocalActivities<EnrollmentRecordActivities>(controlActivity);
// The PDF store and the mail touch the outside world: activities on the control queue, retried with
// backoff for as long as it takes (an SMTP server down for an hour delays the mail, never loses it).
// Each takes well under a second: one whose worker died is retried after this timeout.
const certificates = proxyActivities<CertificateActivities>({
  startToCloseTimeout: '20 seconds',
  retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes' },
});

/**
 * One enrollment from its invoice to its certificate (`academy-enrollment-<id>`). The rows are the
 * truth: a payment marks the invoice Paid before it signals, a completion marks the enrollment
 * Completed before it signals, so the workflow reads its phase from them whenever it wakes (a
 * signal, the due time, or every `recheckMs`, which heals a signal lost while Temporal was away).
 * Unpaid at the due time: expired. Paid: the workflow opens the enrollment. Completed: it makes
 * the certificate (row, PDF, mail) and records it on the enrollment.
 */
export async function enrollmentLifecycle(input: EnrollmentInput): Promise<EnrollmentOutcome> {
  const { enrollmentId } = input;
  let woken = false;
  const wake = () => void (woken = true);
  setHandler(paymentReceivedSignal, wake);
  setHandler(enrollmentCompletedSignal, wake);
  setHandler(enrollmentEndedSignal, wake);
  /** Sleeps until a signal or `ms`, then reads the rows again. */
  const nap = async (ms: number): Promise<EnrollmentPhase> => {
    await condition(() => woken, Math.max(1, ms));
    woken = false;
    return records.enrollmentPhase({ enrollmentId });
  };

  let phase = await records.enrollmentPhase({ enrollmentId });
  while (phase === 'unpaid') {
    const left = Date.parse(input.dueAt) - Date.now();
    // Expires only an invoice still Unpaid: a payment that won the race keeps it (phase 'paid').
    phase =
      left <= 0
        ? await records.expireEnrollment({ enrollmentId })
        : await nap(Math.min(left, input.recheckMs));
  }
  if (phase === 'paid') phase = await records.activateEnrollment({ enrollmentId });
  while (phase === 'paid') {
    // A course lasts months: keep the history short (the state is in the rows).
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof enrollmentLifecycle>(input);
    phase = await nap(input.recheckMs);
  }
  if (phase === 'ended') return (await records.endedAs({ enrollmentId })) ?? 'cancelled';

  const certificate = await records.createCertificate({ enrollmentId });
  await certificates.storeCertificatePdf(certificate);
  await certificates.mailCertificate(certificate);
  return 'completed';
}
