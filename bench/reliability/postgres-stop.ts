import { postgresOutage } from './postgres';

/** `npm run bench reliability postgres-stop`: Postgres stopped for 20 s (issue 12, item 3). */
export const postgresStop = () => postgresOutage('cut');
