import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { okSchema } from '../envelope';
import { Email, Customer } from './common';

const Password = z
  .string()
  .min(1, 'is required')
  .max(256)
  .openapi({ description: '12+ characters mixing three of lowercase, uppercase, digits, symbols' });

export const RegisterBody = z
  .strictObject({ name: z.string().trim().min(1, 'is required').max(100), email: Email, password: Password })
  .openapi('RegisterRequest');
export const LoginBody = z
  .strictObject({ email: Email, password: z.string().min(1, 'is required').max(256) })
  .openapi('LoginRequest');
export const ForgotBody = z.strictObject({ email: Email }).openapi('ForgotPasswordRequest');
export const ResetBody = z
  .strictObject({ token: z.string().min(1, 'is required').max(200), new_password: Password })
  .openapi('ResetPasswordRequest');
export const ProfileBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100).optional(),
    company: z.string().trim().max(200).nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'give name or company')
  .openapi('UpdateProfileRequest');

export const Registered = okSchema(
  'Registered',
  z.object({ id: z.string(), email: z.string(), created_at: z.string() }),
);
export const LoggedIn = okSchema(
  'LoggedIn',
  z.object({
    token: z.string().openapi({ description: 'JWT (HS256): Authorization: Bearer …' }),
    expires_at: z.string(),
  }),
);
export const Profile = okSchema('Profile', Customer);

export { Message } from './common';
