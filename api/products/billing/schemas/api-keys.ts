import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { SCOPES } from '../api-keys';
import { okSchema } from '../envelope';
import { Id } from './common';

const Scopes = z
  .array(z.enum(SCOPES, { error: () => `must be one of: ${SCOPES.join(', ')}` }))
  .min(1, 'give at least one scope')
  .max(SCOPES.length);
export const CreateKeyBody = z
  .strictObject({
    name: z.string().trim().min(1, 'is required').max(100),
    scopes: Scopes.default([...SCOPES]),
  })
  .openapi('CreateApiKeyRequest');
export const UpdateKeyBody = z
  .strictObject({ name: z.string().trim().min(1).max(100).optional(), scopes: Scopes.optional() })
  .refine((b) => Object.keys(b).length > 0, 'give name or scopes')
  .openapi('UpdateApiKeyRequest');
export const KeyIdParams = z.strictObject({ id: Id('key') });
const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    created_at: z.string(),
  })
  .openapi('ApiKey');
export const KeyList = okSchema('ApiKeyList', z.array(ApiKey));
export const KeyAnswer = okSchema('ApiKeyAnswer', ApiKey);
export const KeyCreated = okSchema(
  'ApiKeyCreated',
  ApiKey.extend({ key: z.string().openapi({ description: 'Shown this once' }) }),
);
export const KeyRotated = okSchema(
  'ApiKeyRotated',
  z.object({
    id: z.string(),
    key: z.string().openapi({ description: 'Shown this once' }),
    prefix: z.string(),
    rotated_at: z.string(),
  }),
);

export { Message } from './common';
