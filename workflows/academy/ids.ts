/** One workflow per enrollment, from its creation to its certificate (or its expiry). */
export const enrollmentWorkflowIdOf = (enrollmentId: number) => `academy-enrollment-${enrollmentId}`;
