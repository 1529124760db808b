import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../core/crypto';
import type { TestApi } from './api';

/** paas's contract paths under its default mount. */
export const PAAS = '/paas/api/v1';
export const PAAS_PASSWORD = 'Layanan-Paas-Passw0rd';
let hashed: Promise<string> | undefined;
let n = 0;

/** A name no other test (or process) uses. */
export const uniqueName = (label: string) =>
  `${label}-${process.pid}-${Date.now().toString(36)}-${n++}`.toLowerCase();

export interface PaasAccount {
  id: string;
  tenantId: string;
  username: string;
  token: string;
  refreshToken: string;
}

/**
 * A paas account of the calling test's own, logged in: in a new tenant, or in `tenantId` (e.g. a
 * user beside a tenant_admin). Inserted directly (registration has its own tests), logged in through HTTP.
 */
export async function paasAccount(
  api: TestApi,
  role: 'user' | 'tenant_admin' | 'admin' = 'user',
  opts: { tenantId?: string; maxServices?: number } = {},
): Promise<PaasAccount> {
  const username = uniqueName(role.replace('_', '-'));
  const tenantId = opts.tenantId ?? randomUUID();
  if (!opts.tenantId)
    await api
      .db('paas.tenants')
      .insert({ id: tenantId, name: username, max_services: opts.maxServices ?? null });
  hashed ??= hashPassword(PAAS_PASSWORD);
  const id = randomUUID();
  await api.db('paas.users').insert({
    id,
    tenant_id: tenantId,
    username,
    email: `${username}@paas.test`,
    first_name: 'Test',
    last_name: role,
    password_hash: await hashed,
    role,
  });
  const res = await api.request('POST', `${PAAS}/auth/login`, {
    body: { username, password: PAAS_PASSWORD },
  });
  if (res.status !== 200) throw new Error(`paas login as ${username} failed: ${res.status} ${res.text}`);
  return { id, tenantId, username, token: res.body.token, refreshToken: res.body.refresh_token };
}

/** A request to a paas path (`/services`, `/templates/...`) as the token's holder. */
export const paasCall = (api: TestApi) => (method: string, path: string, token?: string, body?: unknown) =>
  api.request(method, `${PAAS}${path}`, { token, body });

/** The id of the seeded template called `name`. */
export async function templateId(api: TestApi, name: string): Promise<string> {
  const row = await api.db('paas.templates').where({ name }).first('id');
  if (!row) throw new Error(`no seeded template ${name}`);
  return row.id;
}
