import type { Knex } from 'knex';
import { hashPassword, verifyPassword } from '../../../core/crypto';
import { AppError, Conflict, Invalid, NotFound } from '../../../core/errors';
import type { AcademyRole, AcademyUserRow, MemberLevel } from '../../../types/academy';
import { writeAudit } from '../../http/audit';
import { checkStrength, emailTaken, isEmailClash, liveUsers } from './accounts';
import { containing, paged } from './paging';
import { isAdmin, type AcademyCaller, type Sessions } from './sessions';

export const userView = (u: AcademyUserRow) => ({
  id: u.id,
  email: u.email,
  fullName: u.full_name,
  memberLevel: u.member_level,
  role: u.role,
  isActive: u.is_active,
  createdAt: u.created_at.toISOString(),
  updatedAt: u.updated_at.toISOString(),
});

export interface UserFilter {
  page: number;
  limit: number;
  search?: string;
  role?: AcademyRole;
  memberLevel?: MemberLevel;
  isActive?: boolean;
}

export interface UserPatch {
  fullName?: string;
  email?: string;
  password?: string;
  currentPassword?: string;
  memberLevel?: MemberLevel;
  role?: AcademyRole;
  isActive?: boolean;
}

/** Fields only an admin may set; a learner naming one is refused (403 naming it). */
const ADMIN_ONLY = ['memberLevel', 'role', 'isActive'] as const;

/**
 * Users as admins manage them and learners see themselves ("Self": the routes' guard lets a
 * learner reach only their own id; another's answers 404). Deleting keeps the row (enrollments,
 * invoices and certificates stay) and frees the email; the last active admin cannot be removed,
 * demoted or deactivated.
 */
export function createUserService(deps: { db: Knex; sessions: Sessions }) {
  const { db, sessions } = deps;
  const audit = (trx: Knex | Knex.Transaction, entry: Parameters<typeof writeAudit>[2]) =>
    writeAudit(trx, 'academy', entry);

  async function find(trx: Knex | Knex.Transaction, id: number, lock = false) {
    const q = liveUsers(trx).where({ id });
    const row = await (lock ? q.forUpdate() : q).first();
    if (!row) throw new NotFound('user');
    return row;
  }

  /**
   * Refuses to leave the academy without an active admin. Every change that can remove an admin
   * takes one lock first (before any row lock, so two of them never deadlock) and then counts.
   */
  const lockAdmins = (trx: Knex.Transaction) =>
    trx.raw(`select pg_advisory_xact_lock(hashtext('academy.active-admins'))`);
  async function keepAnAdmin(trx: Knex.Transaction, target: AcademyUserRow, field?: 'role' | 'isActive') {
    if (target.role !== 'Admin' || !target.is_active) return;
    const [{ n }] = await liveUsers(trx).where({ role: 'Admin', is_active: true }).count({ n: '*' });
    if (Number(n) > 1) return;
    const change = field === 'role' ? 'demoted' : field === 'isActive' ? 'deactivated' : 'deleted';
    throw new Conflict(`${field ? `${field}: ` : ''}the last active admin cannot be ${change}`, field);
  }

  return {
    async list(filter: UserFilter) {
      const q = liveUsers(db).select('*');
      if (filter.search)
        q.where((w) =>
          w
            .whereILike('full_name', containing(filter.search as string))
            .orWhereILike('email', containing(filter.search as string)),
        );
      if (filter.role) q.where({ role: filter.role });
      if (filter.memberLevel) q.where({ member_level: filter.memberLevel });
      if (filter.isActive !== undefined) q.where({ is_active: filter.isActive });
      const { rows, pagination } = await paged<AcademyUserRow>(q, { ...filter, id: 'id' });
      return { users: rows.map(userView), pagination };
    },

    get: async (id: number) => userView(await find(db, id)),

    async create(
      input: {
        email: string;
        password: string;
        fullName: string;
        memberLevel?: MemberLevel;
        role?: AcademyRole;
      },
      by: AcademyCaller,
      ip: string,
    ) {
      checkStrength(input.password, input.email, 'password');
      const [row] = await db('academy.users')
        .insert({
          email: input.email,
          full_name: input.fullName,
          password_hash: await hashPassword(input.password),
          member_level: input.memberLevel ?? 'Basic',
          role: input.role ?? 'User',
        })
        .returning<AcademyUserRow[]>('*')
        .catch((err) => {
          throw isEmailClash(err) ? emailTaken() : err;
        });
      await audit(db, {
        actor: by.user.email,
        action: 'users.create',
        target: `user:${row.id}`,
        ip,
        outcome: 'success',
      });
      return userView(row);
    },

    async update(id: number, patch: UserPatch, by: AcademyCaller, ip: string) {
      if (!isAdmin(by))
        for (const field of ADMIN_ONLY)
          if (patch[field] !== undefined)
            throw new AppError('forbidden', 403, `${field}: only an admin may change it`, field);
      const row = await db.transaction(async (trx) => {
        if (patch.role !== undefined || patch.isActive !== undefined) await lockAdmins(trx);
        const user = await find(trx, id, true);
        const changes: Record<string, unknown> = {};
        if (patch.fullName !== undefined) changes.full_name = patch.fullName;
        if (patch.email !== undefined) changes.email = patch.email;
        if (patch.memberLevel !== undefined) changes.member_level = patch.memberLevel;
        if (patch.role !== undefined && patch.role !== user.role) {
          await keepAnAdmin(trx, user, 'role');
          changes.role = patch.role;
        }
        if (patch.isActive !== undefined && patch.isActive !== user.is_active) {
          if (!patch.isActive) await keepAnAdmin(trx, user, 'isActive');
          changes.is_active = patch.isActive;
        }
        if (patch.password !== undefined) {
          // Changing one's own password takes the current one (a stolen session is not enough).
          if (by.user.id === user.id) {
            if (!patch.currentPassword)
              throw new Invalid('currentPassword: is required to change your password', 'currentPassword');
            if (!(await verifyPassword(user.password_hash, patch.currentPassword)))
              throw new Invalid('currentPassword: is wrong', 'currentPassword');
          }
          checkStrength(patch.password, patch.email ?? user.email, 'password');
          changes.password_hash = await hashPassword(patch.password);
        }
        if (Object.keys(changes).length === 0) return user;
        const [updated] = await trx('academy.users')
          .where({ id })
          .update({ ...changes, updated_at: trx.fn.now() })
          .returning<AcademyUserRow[]>('*')
          .catch((err) => {
            throw isEmailClash(err) ? emailTaken() : err;
          });
        // A new password or a deactivation ends the account's sessions (but not the caller's own).
        if (changes.password_hash || changes.is_active === false)
          await trx('academy.sessions')
            .where({ user_id: id })
            .whereNot({ id: by.sessionId })
            .whereNull('revoked_at')
            .update({ revoked_at: trx.fn.now() });
        await audit(trx, {
          actor: by.user.email,
          action: 'users.update',
          target: `user:${id}`,
          ip,
          outcome: 'success',
          detail: { fields: Object.keys(patch).filter((k) => k !== 'password' && k !== 'currentPassword') },
        });
        return updated;
      });
      return userView(row);
    },

    /** Deletes the account: it can no longer log in, its sessions end, its email is free. */
    async remove(id: number, by: AcademyCaller, ip: string) {
      await db.transaction(async (trx) => {
        await lockAdmins(trx);
        const user = await find(trx, id, true);
        await keepAnAdmin(trx, user);
        await trx('academy.users')
          .where({ id })
          .update({ deleted_at: trx.fn.now(), updated_at: trx.fn.now() });
        await sessions.revokeAll(trx, id);
        await audit(trx, {
          actor: by.user.email,
          action: 'users.delete',
          target: `user:${id}`,
          ip,
          outcome: 'success',
        });
      });
    },
  };
}
export type UserService = ReturnType<typeof createUserService>;
