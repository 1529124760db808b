import type { Context } from 'koa';
import type { RouteFn } from '../../../http/route';
import type { Accounts } from '../accounts';
import type { CommentService } from '../discussion-comments';
import type { DiscussionService } from '../discussions';
import type { CertificateService } from '../certificates';
import type { EnrollmentService } from '../enrollments';
import type { PaymentCallbacks } from '../payment-callbacks';
import type { PasswordReset } from '../password-reset';
import type { AcademyAuthLevel, AcademyCaller, Sessions } from '../sessions';
import type { UserService } from '../users';
import type { ModuleService } from '../modules';
import type { ProgramService } from '../programs';

/** What academy's route areas are given; each area file takes what it needs. */
export interface AcademyServices {
  sessions: Sessions;
  accounts: Accounts;
  passwordReset: PasswordReset;
  users: UserService;
  programs: ProgramService;
  modules: ModuleService;
  discussions: DiscussionService;
  comments: CommentService;
  enrollments: EnrollmentService;
  certificates: CertificateService;
  payments: PaymentCallbacks;
}

export type AcademyRoute = RouteFn<AcademyAuthLevel>;
export const caller = (ctx: Context) => ctx.state.caller as AcademyCaller;
