import { caller } from './context';
import * as s from '../schemas/backups';
import type { PanelRoute, PanelServices } from './context';

/** Backups and restores as workflows with jobs; the list reads the backup directory. */
export function backupRoutes(route: PanelRoute, { backups }: PanelServices): void {
  route({
    method: 'post',
    path: '/v1/backup/run',
    audit: 'backup.run',
    tag: 'backups',
    auth: 'admin',
    summary: 'Back up the panel now (asynchronously)',
    description:
      "Writes nusantara_state_YYYYMMDD_HHMMSS.json (the panel's records: sites, databases and their users, certificates' metadata) into the backup directory, beside a directory with each active site's files (tar.gz), each database's dump and SHA256SUMS; then keeps the newest PANEL_BACKUP_KEEP. A daily Temporal Schedule runs the same. One backup or restore at a time.",
    status: 202,
    responses: {
      202: { description: 'Accepted; the backup started', schema: s.BackupAccepted },
      409: { description: 'A backup or restore is running' },
    },
    handler: (_, ctx) => backups.run(caller(ctx), ctx.ip),
  });

  route({
    method: 'post',
    path: '/v1/backup/restore',
    audit: 'backup.restore',
    tag: 'backups',
    auth: 'admin',
    summary: 'Restore from a backup (asynchronously)',
    description:
      'Verifies every checksum first (a mismatch fails the job and changes nothing), then brings back the sites and databases the panel no longer has: sites are provisioned again and their files unpacked, databases created and loaded, their accounts recreated from the stored password hashes. Sites and databases that exist are skipped and listed in the job.',
    body: s.RestoreBackupBody,
    status: 202,
    responses: {
      202: { description: 'Accepted; the restore started', schema: s.BackupAccepted },
      400: {
        description:
          'Not a state file directly inside the backup directory (path traversal, another directory, a symlink elsewhere)',
      },
      404: { description: 'No such backup' },
      409: { description: 'A backup or restore is running' },
    },
    handler: ({ body }, ctx) => backups.restore(caller(ctx), body, ctx.ip),
  });

  route({
    method: 'get',
    path: '/v1/backup/list',
    tag: 'backups',
    auth: 'admin',
    summary: 'The backups in the backup directory, newest first',
    responses: { 200: { description: 'Backups', schema: s.BackupList } },
    handler: () => backups.list(),
  });
}
