import { loadConfig } from '../../core/config';
import { passwordWeakness, verifyPassword } from '../../core/crypto';
import { createLogger } from '../../core/logger';
import { bootstrapAdmin } from '../../api/products/bootstrap-admin';
import { groupCommit } from '../../core/group-commit';
import { createSemaphore } from '../../core/semaphore';
import { newId } from '../../core/ids';

describe('configuration', () => {
  it('mounts every product at its own prefix by default', () => {
    expect(loadConfig({}).MOUNTS).toEqual([
      { product: 'panel', prefix: '/panel' },
      { product: 'gpu-lab', prefix: '/gpu-lab' },
      { product: 'billing', prefix: '/billing' },
      { product: 'paas', prefix: '/paas' },
      { product: 'academy', prefix: '/academy' },
    ]);
  });
  it('reads MOUNTS, with / meaning the root', () => {
    expect(loadConfig({ MOUNTS: 'panel=/, billing=/pay/' }).MOUNTS).toEqual([
      { product: 'panel', prefix: '' },
      { product: 'billing', prefix: '/pay' },
    ]);
  });
  it("follows panel.md's updater defaults, deriving the install script from the repository and branch", () => {
    expect(loadConfig({}).updateScriptUrl).toBe('https://raw.githubusercontent.com/wayangm/Nusantara-Panel/main/install.sh');
    expect(loadConfig({ PANEL_UPDATE_REPO_URL: 'https://github.com/acme/panel', PANEL_UPDATE_BRANCH: 'stable' }).updateScriptUrl).toBe(
      'https://raw.githubusercontent.com/acme/panel/stable/install.sh',
    );
  });
  it('names what is wrong', () => {
    expect(() => loadConfig({ MOUNTS: 'shop=/shop' })).toThrow('unknown product "shop"');
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ PANEL_BOOTSTRAP_PASSWORD: 'short' })).toThrow(/PANEL_BOOTSTRAP_PASSWORD/);
  });
});

describe('password strength', () => {
  it.each([
    ['Correct-Horse-9', null],
    ['short1A!', 'must be at least 12 characters'],
    ['alllowercaseletters', 'must mix at least three of: lowercase, uppercase, digits, symbols'],
    ['Admin-Passw0rd-admin', 'must not contain the username'],
  ])('%s → %s', (pw, reason) => expect(passwordWeakness(pw, 'admin')).toBe(reason));
});

describe('ids', () => {
  it('are prefixed, unique and sort by creation time', async () => {
    const a = newId('site');
    await new Promise((r) => setTimeout(r, 2));
    const b = newId('site');
    expect(a).toMatch(/^site_[a-z0-9]{21}$/);
    expect(a < b).toBe(true);
  });
});

describe('group commit', () => {
  /** A runner whose statements finish only when the test says so, recording what each one held. */
  function manual() {
    const statements: { items: string[]; finish: (results?: (string | Error)[]) => void }[] = [];
    const run = groupCommit<string, string>({
      slots: 1,
      max: 3,
      key: (item) => (item.startsWith('id:') ? item : undefined),
      run: (items) => new Promise((resolve) => statements.push({ items, finish: (results) => resolve(results ?? items.map((i) => `done ${i}`)) })),
    });
    return { statements, run };
  }
  const tick = () => new Promise((r) => setImmediate(r));

  it('runs a lone item at once and groups what arrives while a statement is in flight, up to max', async () => {
    const { statements, run } = manual();
    const first = run('a');
    expect(statements.map((s) => s.items)).toEqual([['a']]);
    const rest = ['b', 'c', 'd', 'e'].map(run);
    statements[0].finish();
    await tick();
    await expect(first).resolves.toBe('done a');
    expect(statements.map((s) => s.items)).toEqual([['a'], ['b', 'c', 'd']]);
    statements[1].finish();
    await tick();
    expect(statements[2].items).toEqual(['e']);
    statements[2].finish();
    await expect(Promise.all(rest)).resolves.toEqual(['done b', 'done c', 'done d', 'done e']);
  });

  it('never puts two items of one key in one statement, and rejects only the item its run failed', async () => {
    const { statements, run } = manual();
    const busy = run('x');
    const answers = ['id:1', 'y', 'id:1', 'z'].map((i) => run(i).catch((e: Error) => `failed: ${e.message}`));
    statements[0].finish();
    await tick();
    await expect(busy).resolves.toBe('done x');
    expect(statements[1].items).toEqual(['id:1', 'y', 'z']);
    statements[1].finish(['done id:1', new Error('y was refused'), 'done z']);
    await tick();
    expect(statements[2].items).toEqual(['id:1']);
    statements[2].finish();
    await expect(Promise.all(answers)).resolves.toEqual(['done id:1', 'failed: y was refused', 'done id:1', 'done z']);
  });

  it('rejects every item of a statement that threw', async () => {
    const run = groupCommit<number, number>({ slots: 1, max: 10, run: async () => Promise.reject(new Error('database down')) });
    await expect(Promise.all([run(1), run(2)])).rejects.toThrow('database down');
  });
});

describe('password hashing cap (semaphore)', () => {
  const tick = () => new Promise((r) => setImmediate(r));

  it('runs `concurrency` at once, queues `queue` in order, refuses others unless told to wait', async () => {
    const sem = createSemaphore({ concurrency: 2, queue: 2 }, 'busy');
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const task = (i: number) => () => {
      started.push(i);
      return new Promise<number>((resolve) => finish.push(() => resolve(i)));
    };
    const runs = [0, 1, 2, 3].map((i) => sem.run(task(i)));
    await expect(sem.run(task(4))).rejects.toMatchObject({
      status: 429,
      code: 'rate_limited',
      retryAfterSeconds: 1,
      message: 'busy',
    });
    runs.push(sem.run(task(5), { alwaysWait: true }));
    await tick();
    expect(started).toEqual([0, 1]);
    finish[1]();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    finish[0]();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    finish[2]();
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 5]);
    finish[3]();
    finish[4]();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2, 3, 5]);
  });

  it('frees its place when a task fails', async () => {
    const sem = createSemaphore({ concurrency: 1, queue: 0 }, 'busy');
    await expect(sem.run(() => Promise.reject(new Error('argon2 failed')))).rejects.toThrow('argon2 failed');
    await expect(sem.run(async () => 'next')).resolves.toBe('next');
  });
});

describe('bootstrap admin', () => {
  const logger = createLogger('silent');
  const printed = () => {
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    /** Stops capturing and answers what was written. */
    return () => {
      const lines = write.mock.calls.map(([chunk]) => String(chunk));
      write.mockRestore();
      return lines;
    };
  };

  it('creates the admin with a generated password printed once, which its stored hash accepts', async () => {
    const stop = printed();
    let hash = '';
    let lines: string[];
    try {
      await bootstrapAdmin({ product: 'demo', who: 'admin@demo', logger, exists: async () => undefined, insert: async (h) => ((hash = h), true) });
    } finally {
      lines = stop();
    }
    expect(lines).toHaveLength(1);
    const password = /demo bootstrap admin password: (\S+)/.exec(lines[0])?.[1] as string;
    expect(await verifyPassword(hash, password)).toBe(true);
  });

  it('prints nothing with a configured password, when another process created the admin, or when one exists', async () => {
    const stop = printed();
    const insert = jest.fn(async () => false);
    let lines: string[];
    try {
      await bootstrapAdmin({ product: 'demo', who: 'a', logger, configuredPassword: 'Configured-Passw0rd!', exists: async () => undefined, insert: async () => true });
      await bootstrapAdmin({ product: 'demo', who: 'a', logger, exists: async () => undefined, insert });
      await bootstrapAdmin({ product: 'demo', who: 'a', logger, exists: async () => ({ id: 'usr_1' }), insert });
    } finally {
      lines = stop();
    }
    expect(lines).toEqual([]);
    expect(insert).toHaveBeenCalledTimes(1);
  });
});
