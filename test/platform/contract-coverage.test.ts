import { readFileSync } from 'node:fs';
import path from 'node:path';
import { productFactories } from '../../api/products';
import { PRODUCTS } from '../../core/config';
import { pending } from '../contract-pending';
import { startApi, type TestApi } from '../support/api';

const contract: Record<string, { method: string; path: string }[]> = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../docs/contracts/endpoints.json'), 'utf8'),
);

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

/** Asks the product's real router whether it serves a contract path (params filled with a sample). */
const serves = (
  router: { match(path: string, method: string): { route: boolean } },
  e: { method: string; path: string },
) => router.match(e.path.replace(/\{[^}]+\}/g, 'sample'), e.method).route;

describe('the contracts in docs/contracts/endpoints.json', () => {
  it('name every product Dermaga knows, and no other', () => {
    expect(Object.keys(contract).sort()).toEqual([...PRODUCTS].sort());
  });

  it.each(Object.keys(contract))(
    '%s: every endpoint is served or listed as pending, and nothing pending is served',
    (name) => {
      const factory = productFactories[name as keyof typeof productFactories];
      const listed = pending[name];
      if (!factory) {
        expect([name, listed]).toEqual([name, 'all']);
        return;
      }
      expect(listed).not.toBe('all');
      const product = factory({
        config: api.config,
        db: api.db,
        temporal: api.temporal,
        docker: undefined as never,
        logger: undefined as never,
      });
      const missing: string[] = [];
      const servedButPending: string[] = [];
      for (const e of contract[name]) {
        const key = `${e.method} ${e.path}`;
        const isPending = (listed as string[]).includes(key);
        const isServed = serves(product.router, e);
        if (!isServed && !isPending) missing.push(key);
        if (isServed && isPending) servedButPending.push(key);
      }
      expect({ missing, servedButPending }).toEqual({ missing: [], servedButPending: [] });
      const stale = (listed as string[]).filter(
        (k) => !contract[name].some((e) => `${e.method} ${e.path}` === k),
      );
      expect(stale).toEqual([]);
    },
  );
});
