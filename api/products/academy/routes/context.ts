import type { Context } from 'koa';
import type { RouteFn } from '../../../http/route';
import type { Accounts } from '../accounts';
import type { CertificateService } from '../certificates';
import type { EnrollmentService } from '../enrollments';
import type { PaymentCallbacks } from '../payment-callbacks';
import type { PasswordReset } from '../password-reset';
import type { AcademyAuthLevel, AcademyCaller, Sessions } from '../sessions';

/** What academy's route areas are given; each area file takes what it needs. */
export interface AcademyServices {
  sessions: Sessions;
  accounts: Accounts;
  passwordReset: PasswordReset;
  enrollments: EnrollmentService;
  certificates: CertificateService;
  payments: PaymentCallbacks;
}

export type AcademyRoute = RouteFn<AcademyAuthLevel>;
export const caller = (ctx: Context) => ctx.state.caller as AcademyCaller;
