import type { Knex } from 'knex';
import { NotFound } from '../../../core/errors';
import type { PaasCaller } from './auth';
import { Service } from './models';

/**
 * The services a caller may see and act on: an admin every one, a tenant_admin every one of its
 * tenant, a user those it created. Anything else is "Service not found" (404), never 403: another
 * tenant's ids are not confirmed to exist.
 */
export function visibleServices(db: Knex | Knex.Transaction, caller: PaasCaller) {
  const q = Service.query(db);
  const { user } = caller;
  if (user.role === 'admin') return q;
  q.where('paas.services.tenant_id', user.tenant_id);
  if (user.role !== 'tenant_admin') q.where('paas.services.created_by', user.id);
  return q;
}

/** One visible service, locked for the transaction's life when `lock` (the row every change of it takes). */
export async function findService(
  db: Knex | Knex.Transaction,
  caller: PaasCaller,
  id: string,
  opts: { lock?: boolean } = {},
): Promise<Service> {
  const q = visibleServices(db, caller).findById(id);
  const service = await (opts.lock ? q.forUpdate() : q);
  if (!service) throw new NotFound('Service');
  return service;
}
