import { postgresOutage } from './postgres';

/** `npm run bench reliability postgres-pause`: Postgres hung for 20 s (issue 12, item 2). */
export const postgresPause = () => postgresOutage('freeze');
