import { hashPassword } from '../../core/crypto';
import { newId } from '../../core/ids';
import type { TestApi } from './api';

let n = 0;
/** Creates a panel user directly (the panel has no user-management endpoint yet). */
export async function createPanelUser(
  api: TestApi,
  role: 'admin' | 'viewer',
  password = 'Another-Passw0rd!',
) {
  const username = `${role}-${process.pid}-${Date.now().toString(36)}-${n++}`;
  await api
    .db('panel.users')
    .insert({ id: newId('usr'), username, role, password_hash: await hashPassword(password) });
  return { username, password };
}
