import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { ok } from '../envelope';
import { Email, LabUser } from './common';

const Password = z.string().min(1, 'is required').max(256);

export const RegisterBody = z
  .strictObject({
    name: z.string().trim().min(1, 'is required').max(100).openapi({ example: 'Siti Rahma' }),
    email: Email,
    password: Password.openapi({
      description: '12+ characters mixing three of lowercase, uppercase, digits, symbols',
    }),
  })
  .openapi('RegisterRequest');

export const LoginBody = z.strictObject({ email: Email, password: Password }).openapi('LoginRequest');
export const RefreshBody = z
  .strictObject({ refreshToken: z.string().min(1, 'is required').max(200) })
  .openapi('RefreshTokenRequest');

export const Tokens = z
  .object({
    accessToken: z.string().openapi({ description: 'JWT (HS256); send as `Authorization: Bearer …`' }),
    refreshToken: z
      .string()
      .openapi({ description: 'Single use: POST /auth/refreshToken exchanges it for a new pair' }),
    expiresIn: z.number().int().openapi({ description: 'Seconds the access token lives' }),
    user: LabUser,
  })
  .openapi('Tokens');
export const TokensAnswer = ok(Tokens).openapi('TokensAnswer');
export const RevokedAnswer = ok(z.object({ revoked: z.number().int() })).openapi('RevokedAnswer');

export { UserAnswer } from './common';
