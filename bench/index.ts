/**
 * `npm run bench [sites|start|ssl|backup|gpu-lab|billing|paas]` — prints measured figures; never asserts timings.
 *   sites (default): POST /v1/sites latency and create→active time over 50 sites.
 *   start: time from the quick-start command to ready on a warm machine, and the stack's memory.
 *   ssl: certificate issue time against pebble (the local ACME CA), and a renewal of all.
 *   backup: backup and restore time and size for 20 sites of 10 MiB each.
 *   gpu-lab: createContainer answer and time to running over 30; batch stats over 50 running containers;
 *            worker memory with 50 lease workflows waiting.
 *   billing [report,batch,quota,tenants,exact]: usage/report against a bare Koa + pg reference, batch-report events/s,
 *            quota-check, reports of 20 customers at once, exact counting with duplicates (all unless some are named).
 *   paas: start→completed over 20 services beside a bare `docker run`; 20 tenants at once; GET metrics/logs over 100 calls.
 *   academy: enrollment create→answer and callback→In Progress over 100, completion→certificate mailed over 50,
 *            GET /api/v1/programs first and deep page at 10,000 programs.
 *   academy-lists: GET /academy/api/v1/programs, the first and the last page over 10,000 programs.
 *   academy-forums: GET a forum's comments at 10,000 rows, first/middle/last page (bench/academy/forums.ts).
 *   reliability [scenario,…]: outages and crashes (see bench/reliability/index.ts): the answer and its time during each, recovery after.
 */
import * as academy from './academy/enrollments';
import * as academyForums from './academy/forums';
import * as academyLists from './academy-lists';
import * as backup from './backup';
import * as billing from './billing';
import * as gpuLab from './gpu-lab';
import * as paas from './paas';
import * as panelSites from './panel-sites';
import * as reliability from './reliability';
import * as ssl from './ssl';
import * as start from './start';

const which = process.argv[2] ?? 'sites';
const benches: Record<string, () => Promise<void>> = {
  sites: panelSites.run,
  start: start.run,
  ssl: ssl.run,
  backup: backup.run,
  'gpu-lab': gpuLab.run,
  billing: billing.run,
  paas: paas.run,
  'academy-forums': academyForums.run,
  academy: academy.run,
  reliability: reliability.run,
  'academy-lists': academyLists.run,
};

if (!benches[which]) {
  console.error(`unknown bench "${which}"; choose one of: ${Object.keys(benches).join(', ')}`);
  process.exit(2);
}
benches[which]().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
