import { groupCommit } from '../../../core/group-commit';

describe('group commit', () => {
  /** A runner whose statements finish only when the test says so, recording what each one held. */
  function manual() {
    const statements: { items: string[]; finish: (results?: (string | Error)[]) => void }[] = [];
    const run = groupCommit<string, string>({
      slots: 1,
      max: 3,
      key: (item) => (item.startsWith('id:') ? item : undefined),
      run: (items) =>
        new Promise((resolve) =>
          statements.push({ items, finish: (results) => resolve(results ?? items.map((i) => `done ${i}`)) }),
        ),
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
    await expect(Promise.all(answers)).resolves.toEqual([
      'done id:1',
      'failed: y was refused',
      'done id:1',
      'done z',
    ]);
  });

  it('rejects every item of a statement that threw', async () => {
    const run = groupCommit<number, number>({
      slots: 1,
      max: 10,
      run: async () => Promise.reject(new Error('database down')),
    });
    await expect(Promise.all([run(1), run(2)])).rejects.toThrow('database down');
  });

  it('runs up to `slots` statements at once; what arrives meanwhile waits for the first to finish', async () => {
    const statements: { items: number[]; finish: () => void }[] = [];
    const run = groupCommit<number, number>({
      slots: 2,
      max: 100,
      run: (items) =>
        new Promise((resolve) => statements.push({ items, finish: () => resolve(items.map((i) => i * 10)) })),
    });
    const answers = [1, 2, 3, 4, 5].map(run);
    expect(statements.map((s) => s.items)).toEqual([[1], [2]]);
    statements[1].finish();
    await tick();
    expect(statements.map((s) => s.items)).toEqual([[1], [2], [3, 4, 5]]);
    statements[0].finish();
    statements[2].finish();
    await expect(Promise.all(answers)).resolves.toEqual([10, 20, 30, 40, 50]);
  });

  it('runs an item alone and at once again when the runner has gone idle', async () => {
    const seen: number[][] = [];
    const run = groupCommit<number, number>({
      slots: 1,
      max: 10,
      run: async (items) => (seen.push(items), items),
    });
    await expect(Promise.all([run(1), run(2), run(3)])).resolves.toEqual([1, 2, 3]);
    await expect(run(4)).resolves.toBe(4);
    expect(seen).toEqual([[1], [2, 3], [4]]);
  });

  it('goes on with the next statement after one threw', async () => {
    let calls = 0;
    const run = groupCommit<string, string>({
      slots: 1,
      max: 10,
      run: async (items) => {
        if (calls++ === 0) throw new Error('connection reset');
        return items.map((i) => i.toUpperCase());
      },
    });
    const first = run('a');
    const later = [run('b'), run('c')];
    await expect(first).rejects.toThrow('connection reset');
    await expect(Promise.all(later)).resolves.toEqual(['B', 'C']);
  });
});
