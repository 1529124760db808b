import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod
import { IdParam, Limit, Offset, User } from './common';

const PANEL_ROLES = ['admin', 'viewer'] as const;
const PanelPassword = z.string().min(1).max(256).openapi({
  description:
    '12+ characters mixing three of lowercase, uppercase, digits, symbols; not containing the username',
});

export const PanelUserIdParams = IdParam('user_id', 'usr');
export const ListPanelUsersQuery = z.strictObject({ limit: Limit, offset: Offset });

export const CreatePanelUserBody = z
  .strictObject({
    username: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9._-]{0,63}$/,
        'must be 1–64 characters: lowercase letters, digits, ., _ or -, starting with a letter or digit',
      )
      .openapi({ example: 'operator' }),
    password: PanelPassword,
    role: z
      .enum(PANEL_ROLES, {
        error: (issue) =>
          issue.input === undefined ? 'is required' : `must be one of: ${PANEL_ROLES.join(', ')}`,
      })
      .openapi({ description: 'admin: everything; viewer: the auth endpoints only' }),
  })
  .openapi('CreatePanelUserRequest');

export const ResetPanelPasswordBody = z
  .strictObject({ password: PanelPassword })
  .openapi('ResetPanelPasswordRequest');

export const PanelUser = User.extend({
  created_at: z.string().datetime(),
  password_changed_at: z.string().datetime().nullable(),
}).openapi('PanelUser');
export const PanelUserResponse = z.object({ user: PanelUser }).openapi('PanelUserResponse');
export const PanelUserList = z
  .object({ users: z.array(PanelUser), total: z.number().int() })
  .openapi('PanelUserList');
export const PasswordReset = z
  .object({ message: z.string(), revoked_sessions: z.number().int() })
  .openapi('PasswordReset');
