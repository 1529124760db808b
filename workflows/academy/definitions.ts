import { defineSignal } from '@temporalio/workflow';
import type { PaymentSignal } from '../../types/academy-enrollment';

// academy's enrollment signals, apart from the workflow code so the API sends them through these
// typed definitions without loading a workflow (defineSignal makes a plain object).

/** The invoice is paid (its row already says so): open the enrollment. */
export const paymentReceivedSignal = defineSignal<[PaymentSignal]>('paymentReceived');
/** Every module is done, or an admin set the status: issue the certificate. */
export const enrollmentCompletedSignal = defineSignal<[]>('enrollmentCompleted');
/** An admin cancelled, expired or deleted the enrollment: stop waiting. */
export const enrollmentEndedSignal = defineSignal<[]>('enrollmentEnded');
