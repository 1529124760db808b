/**
 * `npm run fuzz [product…]` — schemathesis (PyPI) over each served OpenAPI document, against a
 * throwaway stack like the test suite's, with a logged-in admin's token. A run fails on any 5xx
 * and on any answer that breaks the document's own schema for it. `.ci/run` runs it after the tests.
 *
 * FUZZ_MAX_EXAMPLES (default 20) bounds the cases per operation; FUZZ_SEED (default 1) makes a
 * run repeatable (set another to explore); reports land in FUZZ_REPORT_DIR (default .data/fuzz).
 */
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { withBenchStack } from '../bench/stack';
import type { TestApi } from '../test/support/api';
import { billingAccount, liveSubscription } from '../test/support/billing';
import { labAccount } from '../test/support/gpu-lab';
import { academyAccount } from '../test/support/academy';

const root = path.resolve(__dirname, '..');

/**
 * The throwaway stack's settings beyond the test suite's: webhook secrets, so the webhook routes
 * verify signatures (401) instead of answering that they are not configured (503); and the
 * recorded-real-answers nvidia-smi the gpu-lab tests use, as no NVIDIA driver exists here.
 */
const FUZZ_ENV = {
  STRIPE_WEBHOOK_SECRET: 'whsec_fuzz',
  XENDIT_CALLBACK_TOKEN: 'xendit-fuzz-token',
  MIDTRANS_SERVER_KEY: 'midtrans-fuzz-key',
  GPULAB_NVIDIA_SMI: path.join(root, 'test/gpu-lab/fixtures/fake-nvidia-smi'),
};

interface Run {
  product: string;
  prefix: string;
  /** Authorization header value for the run. */
  bearer: string;
  /** Operations left out because they end the run's own session or account ("METHOD /path"). */
  exclude?: string[];
  /** Only these operations (regex on the path), for a run with another credential. */
  include?: string;
  label?: string;
}

/** The runs: one per product with an admin's token; billing's API-key routes again with a key. */
async function plan(api: TestApi, panelToken: string): Promise<Run[]> {
  const lab = await labAccount(api, 'admin');
  const billing = await billingAccount(api, 'admin');
  const academy = await academyAccount(api, 'Admin', 'fuzz');
  // A live period, so the usage routes are reached rather than answered "no active subscription".
  const plan = await api.request('POST', '/billing/admin/plans', {
    token: billing.token,
    body: {
      name: 'Fuzz plan',
      price_cents: 1000,
      quota_tokens: 1_000_000,
      quota_requests: 100_000,
      soft_limit: true,
    },
  });
  if (plan.status !== 201) throw new Error(`billing plan: ${plan.status} ${plan.text}`);
  await liveSubscription(api, billing.id, plan.body.data);
  const key = await api.request('POST', '/billing/api/v1/api-keys', {
    token: billing.token,
    body: { name: 'fuzz', scopes: ['usage:write', 'usage:read'] },
  });
  if (key.status !== 200 && key.status !== 201) throw new Error(`billing API key: ${key.status} ${key.text}`);
  const keyRoutes = '^/api/v1/usage/(report|batch-report|quota-check)$';
  return [
    {
      product: 'panel',
      prefix: '/panel',
      bearer: panelToken,
      // Self-update answers 503 by design where systemd does not run (CI); update.test.ts covers it.
      exclude: ['POST /v1/auth/logout', 'POST /v1/auth/change-password', 'POST /v1/panel/update'],
    },
    {
      product: 'gpu-lab',
      prefix: '/gpu-lab',
      bearer: lab.token,
      exclude: ['POST /api/v1/auth/revokeRefreshTokens'],
    },
    {
      product: 'billing',
      prefix: '/billing',
      bearer: key.body.data.key,
      include: keyRoutes,
      label: 'billing (API key)',
    },
    {
      product: 'billing',
      prefix: '/billing',
      bearer: billing.token,
      exclude: [
        'DELETE /api/v1/profile',
        'POST /api/v1/usage/report',
        'POST /api/v1/usage/batch-report',
        'GET /api/v1/usage/quota-check',
      ],
    },
    {
      product: 'academy',
      prefix: '/academy',
      bearer: academy.token,
      // The run's own admin could log itself out, delete, demote or deactivate itself.
      exclude: ['POST /api/v1/auth/logout', 'DELETE /api/v1/users/{userId}', 'PATCH /api/v1/users/{userId}'],
    },
  ];
}

function schemathesis(): string {
  return execFileSync('bash', [path.join(root, 'scripts/ensure-schemathesis.sh')], {
    encoding: 'utf8',
  }).trim();
}

function runOne(bin: string, api: TestApi, run: Run): Promise<boolean> {
  const name = run.label ?? run.product;
  const args = [
    'run',
    `${api.url}/openapi/${run.product}.json`,
    '--url',
    `${api.url}${run.prefix}`,
    '--checks',
    'not_a_server_error,response_schema_conformance',
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    process.env.FUZZ_MAX_EXAMPLES ?? '20',
    '--seed',
    process.env.FUZZ_SEED ?? '1',
    // One worker: hypothesis' lambda descriptions are not thread-safe (a "Runtime Error" otherwise).
    '--workers',
    '1',
    '--request-timeout',
    '30',
    '--suppress-health-check',
    'all',
    '--no-color',
    '--report',
    'junit,har',
    '--report-dir',
    path.join(process.env.FUZZ_REPORT_DIR ?? path.join(root, '.data/fuzz'), name.replace(/\W+/g, '-')),
    '-H',
    `Authorization: Bearer ${run.bearer}`,
  ];
  for (const name of run.exclude ?? []) args.push('--exclude-name', name);
  if (run.include) args.push('--include-path-regex', run.include);
  console.log(`\n== fuzz ${name}`);
  return new Promise((resolve) => {
    const child = spawn(bin, args, { stdio: 'inherit' });
    child.once('exit', (code) => resolve(code === 0));
  });
}

async function main() {
  const only = process.argv.slice(2);
  const bin = schemathesis();
  const failed: string[] = [];
  Object.assign(process.env, FUZZ_ENV);
  await withBenchStack(async (api, panelToken) => {
    const runs = (await plan(api, panelToken)).filter((r) => only.length === 0 || only.includes(r.product));
    for (const run of runs) if (!(await runOne(bin, api, run))) failed.push(run.label ?? run.product);
  });
  if (failed.length) {
    console.error(`\nfuzz: failures in ${failed.join(', ')}`);
    process.exit(1);
  }
  console.log('\nfuzz: no 5xx and no answer outside its schema');
}

main().catch((err) => {
  console.error(`fuzz: ${(err as Error).message}`);
  process.exit(1);
});
