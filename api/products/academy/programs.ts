import type { Knex } from 'knex';
import { AppError, Invalid, NotFound } from '../../../core/errors';
import type { ProgramRow, ProgramStatus } from '../../../types/academy';
import { writeAudit } from '../../http/audit';
import { containing, paged } from './paging';
import type { AcademyCaller } from './sessions';

export const programView = (p: ProgramRow) => ({
  id: p.id,
  title: p.title,
  description: p.description,
  priceIDR: Number(p.price_idr),
  status: p.status,
  createdAt: p.created_at.toISOString(),
  updatedAt: p.updated_at.toISOString(),
});

export interface ProgramFilter {
  page: number;
  limit: number;
  search?: string;
  status?: ProgramStatus;
  minPriceIDR?: number;
  maxPriceIDR?: number;
}

export interface ProgramInput {
  title: string;
  description?: string;
  priceIDR: number;
  status?: ProgramStatus;
}

const FOREIGN_KEY_VIOLATION = '23503';

/**
 * The program a learner may enroll in, read under a share lock in the caller's transaction (an
 * admin's status change waits for the enrollment, and the other way round): 404 naming `field`
 * when there is none, 400 naming it when it is inactive or archived.
 */
export async function openProgram(
  trx: Knex.Transaction,
  id: number,
  field = 'programId',
): Promise<ProgramRow> {
  const program = await trx<ProgramRow>('academy.programs').where({ id }).forShare().first();
  if (!program) throw new AppError('not_found', 404, `${field}: no such program`, field);
  if (program.status !== 'active')
    throw new Invalid(`${field}: the program is ${program.status} and takes no enrollments`, field);
  return program;
}

/**
 * Programs: anyone reads them (the list shows active ones unless asked for another status);
 * admins create, update and delete. Deleting a program that has enrollments archives it instead
 * (the enrollments, invoices and certificates keep pointing at it; it leaves the public list and
 * takes no more enrollments); one without enrollments is deleted with its modules.
 */
export function createProgramService(deps: { db: Knex }) {
  const { db } = deps;
  const audit = (
    trx: Knex | Knex.Transaction,
    by: AcademyCaller,
    action: string,
    id: number,
    ip: string,
    detail?: Record<string, unknown>,
  ) =>
    writeAudit(trx, 'academy', {
      actor: by.user.email,
      action,
      target: `program:${id}`,
      ip,
      outcome: 'success',
      detail,
    });

  async function find(trx: Knex | Knex.Transaction, id: number) {
    const row = await trx<ProgramRow>('academy.programs').where({ id }).first();
    if (!row) throw new NotFound('program');
    return row;
  }

  return {
    async list(filter: ProgramFilter) {
      // Filtered by status first and paged by id: the (status, id) index keeps a deep page flat.
      const q = db('academy.programs')
        .select('*')
        .where({ status: filter.status ?? 'active' });
      if (filter.search)
        q.where((w) =>
          w
            .whereILike('title', containing(filter.search as string))
            .orWhereILike('description', containing(filter.search as string)),
        );
      if (filter.minPriceIDR !== undefined) q.where('price_idr', '>=', filter.minPriceIDR);
      if (filter.maxPriceIDR !== undefined) q.where('price_idr', '<=', filter.maxPriceIDR);
      const { rows, pagination } = await paged<ProgramRow>(q, { ...filter, id: 'id' });
      return { programs: rows.map(programView), pagination };
    },

    get: async (id: number) => programView(await find(db, id)),

    async create(input: ProgramInput, by: AcademyCaller, ip: string) {
      return db.transaction(async (trx) => {
        const [row] = await trx('academy.programs')
          .insert({
            title: input.title,
            description: input.description ?? '',
            price_idr: input.priceIDR,
            status: input.status ?? 'active',
          })
          .returning<ProgramRow[]>('*');
        await audit(trx, by, 'programs.create', row.id, ip);
        return programView(row);
      });
    },

    async update(id: number, patch: Partial<ProgramInput>, by: AcademyCaller, ip: string) {
      return db.transaction(async (trx) => {
        await find(trx, id);
        const changes: Record<string, unknown> = {};
        if (patch.title !== undefined) changes.title = patch.title;
        if (patch.description !== undefined) changes.description = patch.description;
        if (patch.priceIDR !== undefined) changes.price_idr = patch.priceIDR;
        if (patch.status !== undefined) changes.status = patch.status;
        const [row] = await trx('academy.programs')
          .where({ id })
          .update({ ...changes, updated_at: trx.fn.now() })
          .returning<ProgramRow[]>('*');
        await audit(trx, by, 'programs.update', id, ip, { fields: Object.keys(patch) });
        return programView(row);
      });
    },

    /**
     * Deletes the program, or archives it when enrollments refer to it: the delete is tried, and
     * the database's own foreign key (enrollments → programs, no cascade) says whether any does,
     * so an enrollment committed meanwhile can never be left without its program.
     */
    async remove(
      id: number,
      by: AcademyCaller,
      ip: string,
    ): Promise<{ archived: ReturnType<typeof programView> | null }> {
      return db.transaction(async (trx) => {
        await find(trx, id);
        const deleted = await trx
          .transaction(async (attempt) => attempt('academy.programs').where({ id }).delete())
          .catch((err: { code?: string }) => {
            if (err.code === FOREIGN_KEY_VIOLATION) return null;
            throw err;
          });
        if (deleted !== null) {
          await audit(trx, by, 'programs.delete', id, ip);
          return { archived: null };
        }
        const [row] = await trx('academy.programs')
          .where({ id })
          .update({ status: 'archived', updated_at: trx.fn.now() })
          .returning<ProgramRow[]>('*');
        await audit(trx, by, 'programs.archive', id, ip, { reason: 'has enrollments' });
        return { archived: programView(row) };
      });
    },

    /** The program a module route names (404 when there is none). */
    exists: async (trx: Knex | Knex.Transaction, id: number) => {
      await find(trx, id);
    },
  };
}
export type ProgramService = ReturnType<typeof createProgramService>;
