import type { Knex } from 'knex';
import { Invalid, NotFound } from '../../../core/errors';
import { writeAudit } from '../../http/audit';
import { type PaasCaller, userView } from './auth';
import { brokenUnique, PaasUser, RefreshToken } from './models';
import type { PaasRole } from '../../../types/paas';

/** The caller's own account, and the admin's user management. */
export function createUserService(deps: { db: Knex }) {
  const { db } = deps;
  const audit = (entry: Parameters<typeof writeAudit>[2]) => writeAudit(db, 'paas', entry);

  /** An admin may not demote or deactivate themself: the platform would lose its last way in. */
  function notSelf(caller: PaasCaller, id: string, what: string) {
    if (caller.user.id === id) throw new Invalid(`id: an admin cannot ${what} their own account`, 'id');
  }

  async function patchUser(caller: PaasCaller, id: string, patch: Partial<PaasUser>, action: string) {
    const updated = await PaasUser.query(db)
      .patch({ ...patch, updated_at: new Date() })
      .where({ id });
    if (!updated) throw new NotFound('User');
    await audit({
      actor: caller.user.username,
      action,
      target: `user:${id}`,
      outcome: 'success',
      detail: patch as Record<string, unknown>,
    });
  }

  return {
    me: (caller: PaasCaller) => userView(caller.user),

    async updateMe(caller: PaasCaller, input: { first_name?: string; last_name?: string; email?: string }) {
      const user = await PaasUser.query(db)
        .patchAndFetchById(caller.user.id, { ...input, updated_at: new Date() })
        .catch((err) => {
          if (brokenUnique(err) !== null) throw new Invalid('email: already exists', 'email');
          throw err;
        });
      const { tenant_id: _t, created_at: _c, ...view } = userView(user);
      return view;
    },

    async list(query: { limit: number; offset: number }) {
      const [users, [{ count }]] = await Promise.all([
        PaasUser.query(db).orderBy('created_at').orderBy('id').limit(query.limit).offset(query.offset),
        db('paas.users').count<{ count: string }[]>('* as count'),
      ]);
      return { users: users.map(userView), total: Number(count), limit: query.limit, offset: query.offset };
    },

    async setRole(caller: PaasCaller, id: string, role: PaasRole) {
      notSelf(caller, id, 'change the role of');
      await patchUser(caller, id, { role }, 'user.role');
      return { message: 'User role updated successfully' };
    },

    async activate(caller: PaasCaller, id: string) {
      await patchUser(caller, id, { is_active: true }, 'user.activate');
      return { message: 'User activated successfully' };
    },

    /** Access tokens stop at once (every request reads the user); refresh tokens are revoked too. */
    async deactivate(caller: PaasCaller, id: string) {
      notSelf(caller, id, 'deactivate');
      await patchUser(caller, id, { is_active: false }, 'user.deactivate');
      await RefreshToken.query(db)
        .patch({ revoked_at: new Date() })
        .where({ user_id: id })
        .whereNull('revoked_at');
      return { message: 'User deactivated successfully' };
    },
  };
}
export type UserService = ReturnType<typeof createUserService>;
