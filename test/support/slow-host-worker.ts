/**
 * The real host worker, except every activity announces itself and waits SLOW_ACTIVITY_MS before
 * it runs: a test can then kill this process while an activity is in flight. Run as its own process.
 */
import { loadConfig } from '../../core/config';
import { createDb, dbTimeouts } from '../../core/db';
import { createWorkers } from '../../worker/create';

async function main() {
  const config = loadConfig();
  const delay = Number(process.env.SLOW_ACTIVITY_MS ?? 1000);
  const db = createDb(config.DATABASE_URL, undefined, dbTimeouts(config));
  const workers = await createWorkers(config, db, {
    interceptors: {
      activity: [
        (ctx) => ({
          inbound: {
            async execute(input, next) {
              console.log(`activity started: ${ctx.info.activityType}`); // tests kill this process on cue
              await new Promise((r) => setTimeout(r, delay));
              return next(input);
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
