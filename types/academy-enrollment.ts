// academy's enrollment workflow: its input and the payloads of its signals (type declarations only,
// imported by workflows, activities and api alike; see types/gpu-lab.ts for the rule).

/** Everything the enrollment workflow needs to start: the rows it watches and when payment is due. */
export interface EnrollmentInput {
  enrollmentId: number;
  invoiceId: number;
  userId: number;
  /** The invoice's due time (ISO-8601): unpaid then, the enrollment expires. */
  dueAt: string;
  /**
   * How often the workflow looks at its rows while it waits (ms), so a signal lost while Temporal
   * was unreachable delays a step by at most this much instead of forever.
   */
  recheckMs: number;
}

/** How an enrollment's workflow ended. */
export type EnrollmentOutcome = 'completed' | 'expired' | 'cancelled';

/** What the enrollment's rows say, as the workflow reads them when it wakes. */
export type EnrollmentPhase = 'unpaid' | 'paid' | 'completed' | 'ended';

/** Payment arrived (a provider's callback or an admin's hand): the invoice row is already Paid. */
export interface PaymentSignal {
  invoiceId: number;
  by: 'xendit' | 'midtrans' | 'admin';
}

/** The certificate made for an enrollment (the row exists before the PDF or the mail). */
export interface CertificateRef {
  certificateId: number;
  enrollmentId: number;
}
