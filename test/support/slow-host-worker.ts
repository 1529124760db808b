/**
 * The real worker (the roles WORKER_ROLES names: a host's queue, or the control plane), except every
 * activity announces itself and waits SLOW_ACTIVITY_MS before it runs, and the activities PAUSE_AFTER
 * names (comma list) announce they are done and wait PAUSE_AFTER_MS before Temporal hears of it: a
 * test can then kill this process while an activity is in flight, or after its change is made but
 * before it is reported. Run as its own process.
 */
import { loadConfig } from '../../core/config';
import { createDb, dbTimeouts } from '../../core/db';
import { createWorkers } from '../../worker/create';

async function main() {
  const config = loadConfig();
  const delay = Number(process.env.SLOW_ACTIVITY_MS ?? 1000);
  const pauseAfter = new Set((process.env.PAUSE_AFTER ?? '').split(',').filter(Boolean));
  const pauseMs = Number(process.env.PAUSE_AFTER_MS ?? 3000);
  const db = createDb(config.DATABASE_URL, undefined, dbTimeouts(config));
  const workers = await createWorkers(config, db, {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: {
            async execute(input, next) {
              console.log(`activity started: ${ctx.info.activityType}`); // tests kill this process on cue
              await new Promise((r) => setTimeout(r, delay));
              const result = await next(input);
              if (pauseAfter.has(ctx.info.activityType)) {
                console.log(`activity done: ${ctx.info.activityType}`);
                await new Promise((r) => setTimeout(r, pauseMs));
              }
              return result;
            },
          },
        }),
      ],
    },
  });
  console.log('worker polling (slow)');
  await workers.run();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
