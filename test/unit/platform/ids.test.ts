import { newId } from '../../../core/ids';

describe('ids', () => {
  it('are prefixed, unique and sort by creation time', async () => {
    const a = newId('site');
    await new Promise((r) => setTimeout(r, 2));
    const b = newId('site');
    expect(a).toMatch(/^site_[a-z0-9]{21}$/);
    expect(a < b).toBe(true);
  });

  it('never repeat, even within one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => newId('evt'));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^evt_[0-9a-z]{9}[0-9a-z]{12}$/);
  });
});
