import { newId } from '../../core/ids';
import { startApi, type TestApi } from '../support/api';
import { billingAccount } from '../support/billing';

let api: TestApi;
const call = (method: string, path: string, token: string, body?: unknown) =>
  api.request(method, `/billing${path}`, { token, body });

beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

const INT4_MAX = 2_147_483_647;
const refused = (field: string, max: number) => ({
  success: false,
  data: `${field}: must be at most ${max}`,
  code: 'invalid_request',
});

describe('billing refuses whole numbers its columns cannot hold with 400 naming the field', () => {
  it('a plan whose cents or quotas pass their integer or bigint column is refused, and nothing is written', async () => {
    const { token } = await billingAccount(api, 'admin');
    const name = `Huge ${newId('p')}`;
    const body = { name, price_cents: 2999, quota_tokens: 1000 };
    for (const [field, value, max] of [
      ['price_cents', 1_746_362_924_423_829, INT4_MAX],
      ['price_cents', INT4_MAX + 1, INT4_MAX],
      ['overage_cents_per_1k_tokens', INT4_MAX + 1, INT4_MAX],
      ['overage_cents_per_request', INT4_MAX + 1, INT4_MAX],
      ['quota_requests', 2 ** 53, Number.MAX_SAFE_INTEGER],
    ] as const) {
      const res = await call('POST', '/admin/plans', token, { ...body, [field]: value });
      expect({ field, status: res.status, body: res.body }).toEqual({
        field,
        status: 400,
        body: refused(field, max),
      });
    }
    expect(await api.db('billing.plans').where({ name }).first()).toBeUndefined();

    const plan = (await call('POST', '/admin/plans', token, { ...body, price_cents: INT4_MAX })).body.data;
    expect(plan).toMatchObject({ name, price_cents: INT4_MAX });
    const update = await call('PUT', `/admin/plans/${plan.id}`, token, { price_cents: 10_319_712_892 });
    expect(update.body).toEqual(refused('price_cents', INT4_MAX));
    expect(await api.db('billing.plans').where({ id: plan.id }).first()).toMatchObject({
      price_cents: INT4_MAX,
    });
  });

  it('a credit past the ledger column is refused and not granted', async () => {
    const { token } = await billingAccount(api, 'admin');
    const customer = await billingAccount(api);
    const res = await call('POST', `/admin/customers/${customer.id}/credit`, token, {
      amount_cents: 6_469_693_229,
      reason: 'fuzz',
    });
    expect(res.body).toEqual(refused('amount_cents', INT4_MAX));
    expect(await api.db('billing.credits').where({ customer_id: customer.id })).toEqual([]);
  });
});
