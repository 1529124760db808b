import { z } from 'zod';
import { ok } from '../envelope';
import { Email, FullName, Password } from './common';

export const RegisterBody = z
  .strictObject({ fullName: FullName, email: Email, password: Password })
  .openapi('AcademyRegisterBody');

export const LoginBody = z.strictObject({ email: Email, password: Password }).openapi('AcademyLoginBody');

export const ForgotPasswordBody = z.strictObject({ email: Email }).openapi('AcademyForgotPasswordBody');

export const ResetPasswordBody = z
  .strictObject({
    token: z.string().min(1, 'is required').max(200, 'must be at most 200 characters'),
    newPassword: Password,
    confirmNewPassword: Password,
  })
  .openapi('AcademyResetPasswordBody');

export const RegisteredAnswer = ok(z.object({ user: z.object({ id: z.number().int() }) })).openapi(
  'AcademyRegistered',
);
export const LoginAnswer = ok(z.object({ accessToken: z.string() })).openapi('AcademyLogin');
export const EmailAnswer = ok(z.object({ user: z.object({ email: z.string() }) })).openapi(
  'AcademyUserEmail',
);
