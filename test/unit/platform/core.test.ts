import { passwordWeakness, verifyPassword } from '../../../core/crypto';
import { createLogger } from '../../../core/logger';
import { bootstrapAdmin } from '../../../api/products/bootstrap-admin';
import { createSemaphore } from '../../../core/semaphore';

describe('password strength', () => {
  it.each([
    ['Correct-Horse-9', null],
    ['short1A!', 'must be at least 12 characters'],
    ['alllowercaseletters', 'must mix at least three of: lowercase, uppercase, digits, symbols'],
    ['Admin-Passw0rd-admin', 'must not contain the username'],
  ])('%s → %s', (pw, reason) => expect(passwordWeakness(pw, 'admin')).toBe(reason));
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
      await bootstrapAdmin({
        product: 'demo',
        who: 'admin@demo',
        logger,
        exists: async () => undefined,
        insert: async (h) => ((hash = h), true),
      });
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
      await bootstrapAdmin({
        product: 'demo',
        who: 'a',
        logger,
        configuredPassword: 'Configured-Passw0rd!',
        exists: async () => undefined,
        insert: async () => true,
      });
      await bootstrapAdmin({ product: 'demo', who: 'a', logger, exists: async () => undefined, insert });
      await bootstrapAdmin({
        product: 'demo',
        who: 'a',
        logger,
        exists: async () => ({ id: 'usr_1' }),
        insert,
      });
    } finally {
      lines = stop();
    }
    expect(lines).toEqual([]);
    expect(insert).toHaveBeenCalledTimes(1);
  });
});
