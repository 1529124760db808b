/** An enrollment row as the contract shows it (certificateId only once there is one, as in its example). */
export function enrollmentView(e: {
  id: number;
  program_id: number;
  progress_percentage: string | number;
  status: string;
  completed_at: Date | null;
  certificate_id: number | null;
}) {
  return {
    id: e.id,
    programId: e.program_id,
    progressPercentage: Number(e.progress_percentage),
    status: e.status,
    completedAt: e.completed_at ? new Date(e.completed_at).toISOString() : null,
    ...(e.certificate_id !== null && { certificateId: e.certificate_id }),
  };
}

/** An invoice as the contract's enrollment answer shows it, with its status and payment (additions). */
export function invoiceView(i: {
  id: number;
  virtual_account_number: string;
  amount_idr: string | number;
  due_at: Date;
  status: string;
  paid_at: Date | null;
}) {
  return {
    id: i.id,
    virtualAccountNumber: i.virtual_account_number,
    amountIDR: Number(i.amount_idr),
    paymentDueDatetime: new Date(i.due_at).toISOString(),
    status: i.status,
    paidAt: i.paid_at ? new Date(i.paid_at).toISOString() : null,
  };
}

/** A certificate as academy shows it: its number and verification code, and where to get and check it. */
export function certificateView(
  c: {
    id: number;
    user_id: number;
    program_id: number | null;
    enrollment_id: number | null;
    number: string;
    verification_code: string;
    learner_name: string;
    program_title: string;
    issued_at: Date;
    status: string;
    has_pdf: boolean;
  },
  baseUrl: string,
) {
  return {
    id: c.id,
    userId: c.user_id,
    programId: c.program_id,
    enrollmentId: c.enrollment_id,
    certificateNumber: c.number,
    verificationCode: c.verification_code,
    learnerName: c.learner_name,
    programTitle: c.program_title,
    issuedAt: new Date(c.issued_at).toISOString(),
    status: c.status,
    /** Null while the PDF is being made. */
    downloadUrl: c.has_pdf ? `${baseUrl}/api/v1/users/${c.user_id}/certificates/${c.id}/download` : null,
    verifyUrl: `${baseUrl}/api/v1/certificates/verify/${c.verification_code}`,
  };
}
