import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { Email, PersonName, Role, Username } from './common';

const Password = z.string().min(1, 'is required').max(256);

export const RegisterBody = z
  .strictObject({
    username: Username,
    email: Email,
    password: Password.openapi({
      description: '12+ characters mixing three of lowercase, uppercase, digits, symbols',
    }),
    first_name: PersonName.default(''),
    last_name: PersonName.default(''),
  })
  .openapi('RegisterRequest');

export const Registered = z
  .object({
    message: z.string(),
    user: z.object({
      id: z.string(),
      username: z.string(),
      email: z.string(),
      first_name: z.string(),
      last_name: z.string(),
      role: Role,
      is_active: z.boolean(),
      created_at: z.string(),
      updated_at: z.string(),
    }),
  })
  .openapi('Registered');

export const LoginBody = z
  .strictObject({ username: z.string().trim().min(1, 'is required').max(254), password: Password })
  .openapi('LoginRequest');

export const RefreshBody = z
  .strictObject({ refresh_token: z.string().min(1, 'is required').max(200) })
  .openapi('RefreshRequest');

const tokenFields = {
  token: z.string().openapi({ description: 'JWT (HS256); send as `Authorization: Bearer …`' }),
  refresh_token: z
    .string()
    .openapi({ description: 'Single use: POST /auth/refresh exchanges it for a new pair' }),
  expires_at: z.string().openapi({ description: 'When the access token stops working' }),
};

export const LoggedIn = z
  .object({
    ...tokenFields,
    user: z.object({
      id: z.string(),
      username: z.string(),
      email: z.string(),
      role: Role,
      is_active: z.boolean(),
    }),
  })
  .openapi('LoggedIn');

export const Refreshed = z
  .object({
    ...tokenFields,
    user: z.object({ id: z.string(), username: z.string(), email: z.string(), role: Role }),
  })
  .openapi('Refreshed');
