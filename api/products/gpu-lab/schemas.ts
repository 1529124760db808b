import { z } from 'zod';
import '../../http/route';
import { ok } from './envelope';

const Email = z.string().trim().toLowerCase().max(254).email('must be an email address').openapi({ example: 'peneliti@kampus.ac.id' });
const Password = z.string().min(1, 'is required').max(256);

export const RegisterBody = z
  .strictObject({
    name: z.string().trim().min(1, 'is required').max(100).openapi({ example: 'Siti Rahma' }),
    email: Email,
    password: Password.openapi({ description: '12+ characters mixing three of lowercase, uppercase, digits, symbols' }),
  })
  .openapi('RegisterRequest');

export const LoginBody = z.strictObject({ email: Email, password: Password }).openapi('LoginRequest');
export const RefreshBody = z.strictObject({ refreshToken: z.string().min(1, 'is required').max(200) }).openapi('RefreshTokenRequest');

export const LabUser = z
  .object({ id: z.string(), name: z.string(), email: z.string(), role: z.enum(['researcher', 'admin']), createdAt: z.string().datetime() })
  .openapi('LabUser');

export const Tokens = z
  .object({
    accessToken: z.string().openapi({ description: 'JWT (HS256); send as `Authorization: Bearer …`' }),
    refreshToken: z.string().openapi({ description: 'Single use: POST /auth/refreshToken exchanges it for a new pair' }),
    expiresIn: z.number().int().openapi({ description: 'Seconds the access token lives' }),
    user: LabUser,
  })
  .openapi('Tokens');

export const UserAnswer = ok(z.object({ user: LabUser })).openapi('UserAnswer');
export const TokensAnswer = ok(Tokens).openapi('TokensAnswer');
export const RevokedAnswer = ok(z.object({ revoked: z.number().int() })).openapi('RevokedAnswer');
