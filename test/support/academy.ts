import { hashPassword } from '../../core/crypto';
import { startApi, type TestApi } from './api';

/** academy's contract paths under its default mount. */
export const ACADEMY = '/academy/api/v1';
export const ACADEMY_PASSWORD = 'Academy-Passw0rd!';
let hashed: Promise<string> | undefined;
let n = 0;

/** An address no other test registers. */
export const academyEmail = (label: string) =>
  `${label}-${process.pid}-${Date.now().toString(36)}-${n++}@academy.test`;

/** An academy account of the calling test's own (written directly), logged in: id, email, token. */
export async function academyAccount(
  api: TestApi,
  role: 'Admin' | 'User' = 'User',
  label = role.toLowerCase(),
) {
  const email = academyEmail(label);
  hashed ??= hashPassword(ACADEMY_PASSWORD);
  const [{ id }] = await api
    .db('academy.users')
    .insert({ full_name: `${role} ${n}`, email, password_hash: await hashed, role })
    .returning('id');
  const res = await api.request('POST', `${ACADEMY}/auth/login`, {
    body: { email, password: ACADEMY_PASSWORD },
  });
  if (res.status !== 200) throw new Error(`academy login as ${email} failed: ${res.status} ${res.text}`);
  return { id: id as number, email, token: res.body.data.accessToken as string };
}

/** A request to an academy path (`/programs`, `/users/1`) as the token's holder. */
export const academyCall =
  (api: TestApi) =>
  (method: string, path: string, token?: string, body?: unknown, headers?: Record<string, string>) =>
    api.request(method, `${ACADEMY}${path}`, { token, body, headers });

/**
 * The API of one test file, started in beforeAll with `env` (or what it resolves to), and its
 * helpers: `call` (a request under /academy/api/v1), `learner()` and `admin()` (fresh accounts).
 */
export function useAcademy(env: Record<string, string> | (() => Promise<Record<string, string>>) = {}) {
  let api: TestApi | undefined;
  beforeAll(async () => {
    api = await startApi(typeof env === 'function' ? await env() : env);
  });
  afterAll(() => api?.close());
  const the = () => {
    if (!api) throw new Error('useAcademy: the API starts in beforeAll');
    return api;
  };
  return {
    api: the,
    call: (method: string, path: string, token?: string, body?: unknown, headers?: Record<string, string>) =>
      academyCall(the())(method, path, token, body, headers),
    learner: (label?: string) => academyAccount(the(), 'User', label),
    admin: (label?: string) => academyAccount(the(), 'Admin', label),
  };
}
