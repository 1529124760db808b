import type { Context } from 'koa';
import type { RouteFn } from '../../../http/route';
import type { Accounts } from '../accounts';
import type { PasswordReset } from '../password-reset';
import type { AcademyAuthLevel, AcademyCaller, Sessions } from '../sessions';

/** What academy's route areas are given; each area file takes what it needs. */
export interface AcademyServices {
  sessions: Sessions;
  accounts: Accounts;
  passwordReset: PasswordReset;
}

export type AcademyRoute = RouteFn<AcademyAuthLevel>;
export const caller = (ctx: Context) => ctx.state.caller as AcademyCaller;
