import type { Knex } from 'knex';
import { Conflict, NotFound } from '../../../core/errors';
import type { ModuleRow } from '../../../types/academy';
import { writeAudit } from '../../http/audit';
import { paged } from './paging';
import type { ProgramService } from './programs';
import { isAdmin, type AcademyCaller } from './sessions';

/**
 * Whether the caller may read a program's module contents. Admins always; a learner once their
 * enrollment in the program is paid: enrollments decide (createAcademy wires their check).
 */
export type ContentAccess = (caller: AcademyCaller, programId: number) => Promise<boolean>;
export const adminsOnly: ContentAccess = async (caller) => isAdmin(caller);

export const moduleView = (m: ModuleRow, withContent: boolean) => ({
  id: m.id,
  programId: m.program_id,
  title: m.title,
  description: m.description,
  position: m.position,
  // null: the program's modules are not open to the caller yet (not enrolled, or unpaid).
  content: withContent ? m.content : null,
  createdAt: m.created_at.toISOString(),
  updatedAt: m.updated_at.toISOString(),
});

export interface ModuleInput {
  title: string;
  description?: string;
  content?: string;
  position?: number;
}

const FOREIGN_KEY_VIOLATION = '23503';

/**
 * A program's modules, in `position` order (ties by id). Any signed-in account lists and reads
 * them; the content shows only to those the program is open to. Admins create, update, delete.
 */
export function createModuleService(deps: { db: Knex; programs: ProgramService; canOpen: ContentAccess }) {
  const { db, programs } = deps;
  const audit = (trx: Knex | Knex.Transaction, by: AcademyCaller, action: string, id: number, ip: string) =>
    writeAudit(trx, 'academy', {
      actor: by.user.email,
      action,
      target: `module:${id}`,
      ip,
      outcome: 'success',
    });

  async function find(trx: Knex | Knex.Transaction, programId: number, id: number) {
    await programs.exists(trx, programId);
    const row = await trx<ModuleRow>('academy.modules').where({ id, program_id: programId }).first();
    if (!row) throw new NotFound('module');
    return row;
  }

  return {
    async list(programId: number, page: { page: number; limit: number }, caller: AcademyCaller) {
      await programs.exists(db, programId);
      const q = db('academy.modules').select('*').where({ program_id: programId });
      const [{ rows, pagination }, open] = await Promise.all([
        paged<ModuleRow>(q, { ...page, id: 'id', orderFirst: ['position'] }),
        deps.canOpen(caller, programId),
      ]);
      return { modules: rows.map((m) => moduleView(m, open)), pagination };
    },

    async get(programId: number, id: number, caller: AcademyCaller) {
      const row = await find(db, programId, id);
      return moduleView(row, await deps.canOpen(caller, programId));
    },

    async create(programId: number, input: ModuleInput, by: AcademyCaller, ip: string) {
      return db.transaction(async (trx) => {
        await programs.exists(trx, programId);
        // Without a position it goes last (two at once may share one; the id orders them).
        const position =
          input.position ??
          Number(
            (await trx('academy.modules').where({ program_id: programId }).max({ p: 'position' }).first())
              ?.p ?? 0,
          ) + 1;
        const [row] = await trx('academy.modules')
          .insert({
            program_id: programId,
            title: input.title,
            description: input.description ?? '',
            content: input.content ?? '',
            position,
          })
          .returning<ModuleRow[]>('*');
        await audit(trx, by, 'modules.create', row.id, ip);
        return moduleView(row, true);
      });
    },

    async update(programId: number, id: number, patch: Partial<ModuleInput>, by: AcademyCaller, ip: string) {
      return db.transaction(async (trx) => {
        await find(trx, programId, id);
        const [row] = await trx('academy.modules')
          .where({ id })
          .update({ ...patch, updated_at: trx.fn.now() })
          .returning<ModuleRow[]>('*');
        await audit(trx, by, 'modules.update', id, ip);
        return moduleView(row, true);
      });
    },

    /** Refused (409) once learners have completed it: their progress counts it. */
    async remove(programId: number, id: number, by: AcademyCaller, ip: string) {
      await db.transaction(async (trx) => {
        await find(trx, programId, id);
        await trx
          .transaction(async (attempt) => attempt('academy.modules').where({ id }).delete())
          .catch((err: { code?: string }) => {
            if (err.code === FOREIGN_KEY_VIOLATION)
              throw new Conflict(
                'moduleId: learners have completed this module; it counts in their progress',
                'moduleId',
              );
            throw err;
          });
        await audit(trx, by, 'modules.delete', id, ip);
      });
    },
  };
}
export type ModuleService = ReturnType<typeof createModuleService>;
