import * as s from '../schemas/audit';
import type { PanelRoute, PanelServices } from './context';

/** The audit trail: who did what to which target, from where, with what outcome. */
export function auditRoutes(route: PanelRoute, { audit }: PanelServices): void {
  route({
    method: 'get',
    path: '/v1/audit/logs',
    tag: 'audit',
    auth: 'admin',
    summary: 'Audit log, newest first',
    description:
      'Filter by actor, action, target and a time range [from, to); paginate with limit and offset.',
    query: s.ListAuditQuery,
    responses: { 200: { description: 'Entries', schema: s.AuditList } },
    handler: ({ query }) => audit.list(query),
  });
}
