import type { Knex } from 'knex';
import { hashPassword } from '../../core/crypto';
import { newId } from '../../core/ids';
import type { TestApi } from './api';

/** gpu-lab's contract paths under its default mount. */
export const LAB = '/gpu-lab/api/v1';
const PASSWORD = 'Riset-GPU-Passw0rd';
let hashed: Promise<string> | undefined;

/** A gpu-lab user of the calling test's own, logged in: its id and access token. */
export async function labAccount(api: TestApi, role: 'admin' | 'researcher') {
  const email = `${role}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}@lab.test`;
  const id = newId('usr');
  hashed ??= hashPassword(PASSWORD);
  await api.db('gpu_lab.users').insert({ id, email, name: role, password_hash: await hashed, role });
  const res = await api.request('POST', `${LAB}/auth/login`, { body: { email, password: PASSWORD } });
  if (res.status !== 200) throw new Error(`gpu-lab login as ${email} failed: ${res.status} ${res.text}`);
  return { id, email, token: res.body.data.accessToken as string };
}

/** A request to a gpu-lab path (`/gpu`, `/docker/...`) as the token's holder. */
export const labCall = (api: TestApi) => (method: string, path: string, token: string, body?: unknown) =>
  api.request(method, `${LAB}${path}`, { token, body });

/** Room for CPUs and memory on a test's host that reserves directly (not through the API). */
export const roomOnHost = (db: Knex, hostId: string, capacity = { cpus: 64, memoryMb: 65_536 }) =>
  db('gpu_lab.hosts')
    .insert({ id: hostId, cpus: capacity.cpus, memory_mb: capacity.memoryMb, source: 'config' })
    .onConflict('id')
    .ignore();
