/**
 * `npm run bench reliability [scenario,…]` — outages and crashes tried from outside on a throwaway
 * stack: for each, the answer a client gets during it and how long it takes, and the time to recover
 * after. Prints figures; never asserts them. Each scenario lives in its own file beside this one.
 */
import * as apiKill from './api-kill';
import { busyPort } from './busy-port';
import * as temporalStop from './temporal-stop';
import * as workerKill from './worker-kill';
import { postgresPause } from './postgres-pause';
import { postgresStop } from './postgres-stop';

export type Scenario = () => Promise<void>;

const scenarios: Record<string, Scenario> = {
  'api-kill': apiKill.run,
  'busy-port': busyPort,
  'temporal-stop': temporalStop.run,
  'worker-kill': workerKill.run,
  'postgres-pause': postgresPause,
  'postgres-stop': postgresStop,
};

export async function run(): Promise<void> {
  const named = process.argv[3]?.split(',').filter(Boolean) ?? Object.keys(scenarios);
  const unknown = named.filter((n) => !scenarios[n]);
  if (unknown.length)
    throw new Error(
      `unknown reliability scenario ${unknown.join(', ')}; choose from: ${Object.keys(scenarios).join(', ')}`,
    );
  for (const name of named) {
    console.log(`\n## ${name}`);
    await scenarios[name]();
  }
}
