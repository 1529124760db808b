import { z } from 'zod';
import '../../../http/route'; // registers .openapi() on zod

export const RestoreBackupBody = z
  .strictObject({
    file: z.string().min(1).max(4096).openapi({
      example: '/var/backups/nusantara-panel/nusantara_state_20260226_230101.json',
      description: 'A state file directly inside the backup directory (GET /v1/backup/list names them)',
    }),
  })
  .openapi('RestoreBackupRequest');

export const BackupAccepted = z
  .object({
    job_id: z.string().openapi({
      description: 'The backup or restore job: its steps say what was written, restored or skipped',
    }),
  })
  .openapi('BackupAccepted');

export const Backup = z
  .object({
    file: z.string(),
    created_at: z.string().datetime(),
    bytes: z.number().int().openapi({ description: 'The state file and its artifacts' }),
    sites: z.number().int(),
    databases: z.number().int(),
    complete: z
      .boolean()
      .openapi({ description: 'Every artifact the state file lists is present with its recorded size' }),
  })
  .openapi('Backup');
export const BackupList = z.object({ backups: z.array(Backup), directory: z.string() }).openapi('BackupList');
