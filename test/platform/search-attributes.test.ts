import { newId } from '../../core/ids';
import { CONTROL_QUEUE } from '../../core/temporal';
import { startPendingWorkflows } from '../../core/workflow-starts';
import { eventually, login, startApi, uniqueDomain, type TestApi } from '../support/api';
import { billingAccount } from '../support/billing';
import { LAB, labAccount } from '../support/gpu-lab';
import { createPanelUser } from '../support/users';

// Every workflow a product starts carries DermagaProduct, DermagaOwner and DermagaResource
// (core/search-attributes.ts): an operator finds them with a list query by product and owner.
let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

/** The workflow ids a list query finds, once the visibility store has them (it lags a little). */
async function found(query: string, expected: number) {
  const client = await api.temporal.client();
  return eventually(
    async () => {
      const ids: string[] = [];
      for await (const w of client.workflow.list({ query })) ids.push(w.workflowId);
      return ids.length >= expected ? ids.sort() : undefined;
    },
    30_000,
    `${query} to find ${expected}`,
  );
}

describe('search attributes on every workflow start', () => {
  it("panel: a site's provisioning is found by product, owner (the panel user) and resource", async () => {
    const user = await createPanelUser(api, 'admin');
    const token = await login(api, user.username, user.password);
    const created = await api.request('POST', '/panel/v1/sites', {
      token,
      body: { domain: uniqueDomain('attrs') },
    });
    expect(created.status).toBe(202);
    const siteId = created.body.site.id as string;
    expect(await found(`DermagaProduct = 'panel' AND DermagaOwner = '${user.username}'`, 1)).toEqual([
      `panel-site-${siteId}-provision`,
    ]);
    expect(await found(`DermagaResource = '${siteId}'`, 1)).toEqual([`panel-site-${siteId}-provision`]);
  });

  it("gpu-lab: a container's delete is found by the researcher who owns it", async () => {
    const r = await labAccount(api, 'researcher');
    const id = newId('ctr');
    const name = `attrs-${id}`;
    await api.db('gpu_lab.containers').insert({
      id,
      name,
      owner_id: r.id,
      host_id: 'nowhere',
      image: 'x',
      cpus: 1,
      memory_mb: 64,
      workspace: 'w',
      ssh_port: 1,
      jupyter_port: 2,
      jupyter_token_sealed: '-',
      status: 'stopped',
    });
    const admin = await labAccount(api, 'admin');
    const res = await api.request('DELETE', `${LAB}/docker/container/${name}`, { token: admin.token });
    expect([res.status, res.text]).toEqual([202, expect.any(String)]);
    const ids = await found(`DermagaProduct = 'gpu-lab' AND DermagaOwner = '${r.id}'`, 1);
    expect(ids).toEqual([`gpu-lab-container-${id}-delete`]);
    // No worker polls host `nowhere`: end the run instead of leaving it waiting.
    const client = await api.temporal.client();
    await client.workflow.getHandle(ids[0]).terminate('test over');
  });

  it("billing: a checkout's subscription is found by the customer", async () => {
    const admin = await billingAccount(api, 'admin');
    const customer = await billingAccount(api);
    const plan = (
      await api.request('POST', '/billing/admin/plans', {
        token: admin.token,
        body: {
          name: `Plan ${newId('p')}`,
          price_cents: 2999,
          quota_tokens: 1000,
          quota_requests: 100,
          soft_limit: true,
        },
      })
    ).body.data;
    const res = await api.request('POST', '/billing/api/v1/checkout/create', {
      token: customer.token,
      body: {
        plan_id: plan.id,
        customer_email: customer.email,
        success_url: 'https://app.example/ok',
        cancel_url: 'https://app.example/no',
      },
    });
    expect([res.status, res.text]).toEqual([201, expect.any(String)]);
    const subscriptionId = res.body.data.subscription_id as string;
    const ids = await found(`DermagaProduct = 'billing' AND DermagaOwner = '${customer.id}'`, 1);
    expect(ids).toEqual([`billing-subscription-${subscriptionId}`]);
    expect(await found(`DermagaResource = '${subscriptionId}'`, 1)).toEqual(ids);
  });

  it('a start the reconciler makes carries the attributes recorded with it', async () => {
    const workflowId = `test-attrs-${newId('w')}`;
    const owner = newId('owner');
    await api.db('platform.workflow_starts').insert({
      id: newId('wfs'),
      workflow_id: workflowId,
      workflow_type: 'reconcileWorkflowStarts',
      task_queue: CONTROL_QUEUE,
      args: '[]',
      search_attributes: JSON.stringify({ product: 'panel', owner, resource: 'x' }),
      created_at: new Date(Date.now() - 60_000),
    });
    await startPendingWorkflows(api.db, api.temporal, { graceMs: 0 });
    expect(await found(`DermagaProduct = 'panel' AND DermagaOwner = '${owner}'`, 1)).toEqual([workflowId]);
  });
});
