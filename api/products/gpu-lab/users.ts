import type { Knex } from 'knex';
import { UniqueViolationError } from 'objection';
import { Conflict, NotFound } from '../../../core/errors';
import { writeAudit } from '../../http/audit';
import { userView, type LabCaller } from './auth';
import { LabUser } from './models';

/** Admins' view of the lab's accounts. */
export function createUserService(deps: { db: Knex }) {
  const { db } = deps;
  const search = (q: { search?: string }) =>
    LabUser.query(db).modify((b) => {
      if (q.search)
        b.where((w) => w.whereILike('name', `%${q.search}%`).orWhereILike('email', `%${q.search}%`));
    });

  return {
    async list(q: { search?: string; limit: number; offset: number }) {
      const [rows, total] = await Promise.all([
        search(q).orderBy('created_at', 'desc').orderBy('id').limit(q.limit).offset(q.offset),
        search(q).resultSize(),
      ]);
      return { users: rows.map(userView), total };
    },

    /** Id and name of every researcher, for the admin console's pickers. */
    async dropdown() {
      const rows = await LabUser.query(db)
        .where({ role: 'researcher' })
        .orderBy('name')
        .select('id', 'name', 'email');
      return { users: rows.map((u) => ({ id: u.id, name: u.name, email: u.email })) };
    },

    async update(
      caller: LabCaller,
      id: string,
      input: { name?: string; email?: string; role?: 'researcher' | 'admin' },
      ip: string,
    ) {
      if (id === caller.user.id && input.role === 'researcher')
        throw new Conflict('role: an admin cannot demote themselves', 'role');
      const user = await LabUser.query(db)
        .patchAndFetchById(id, { ...input, updated_at: new Date() })
        .catch((err) => {
          throw err instanceof UniqueViolationError
            ? new Conflict('email: is already registered', 'email')
            : err;
        });
      if (!user) throw new NotFound(`user ${id}`);
      await writeAudit(db, 'gpu-lab', {
        actor: caller.user.email,
        action: 'user.update',
        target: `user:${id}`,
        ip,
        outcome: 'success',
        detail: { fields: Object.keys(input) },
      });
      return { user: userView(user) };
    },

    /** Refused while the user has containers: delete those first (their workspaces go with them). */
    async remove(caller: LabCaller, id: string, ip: string) {
      if (id === caller.user.id) throw new Conflict('an admin cannot delete their own account');
      await db.transaction(async (trx) => {
        const user = await LabUser.query(trx).findById(id).forUpdate();
        if (!user) throw new NotFound(`user ${id}`);
        const held = await trx('gpu_lab.containers').where({ owner_id: id }).count('* as n').first();
        if (Number(held?.n)) throw new Conflict(`the user has ${held?.n} container(s); delete them first`);
        await LabUser.query(trx).deleteById(id);
        await writeAudit(trx, 'gpu-lab', {
          actor: caller.user.email,
          action: 'user.delete',
          target: `user:${id}`,
          ip,
          outcome: 'success',
          detail: { email: user.email },
        });
      });
      return { deleted: id };
    },
  };
}
export type UserService = ReturnType<typeof createUserService>;
