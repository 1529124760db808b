import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { User } from './common';

export const LoginBody = z
  .strictObject({
    username: z.string().trim().min(1).max(64),
    password: z.string().min(1).max(256),
  })
  .openapi('LoginRequest');

export const ChangePasswordBody = z
  .strictObject({
    current_password: z.string().min(1).max(256),
    new_password: z.string().min(1).max(256),
  })
  .openapi('ChangePasswordRequest');

export const LoginResponse = z
  .object({ token: z.string(), expires_at: z.string().datetime(), user: User })
  .openapi('LoginResponse');

export const MeResponse = z.object({ user: User, expires_at: z.string().datetime() }).openapi('MeResponse');
export const PasswordChanged = z
  .object({ message: z.string(), revoked_sessions: z.number().int() })
  .openapi('PasswordChanged');
