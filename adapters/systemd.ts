import { existsSync } from 'node:fs';
import { run } from './exec';

/** Whether systemd is this host's init (what sd_booted() checks). */
export const systemdRuns = () => existsSync('/run/systemd/system');

/** `systemctl is-active <unit>`: active, inactive, failed, activating, ... */
export async function unitState(unit: string): Promise<string> {
  const r = await run('systemctl', ['is-active', unit], { timeoutMs: 5000 });
  return r.stdout.trim() || 'unknown';
}

/** Properties of a unit, as `systemctl show` prints them. */
export async function unitProperties(unit: string, props: string[]): Promise<Record<string, string>> {
  const r = await run('systemctl', ['show', unit, `--property=${props.join(',')}`], { timeoutMs: 5000 });
  return Object.fromEntries(
    r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/** The unit's newest journal lines. */
export async function journalTail(unit: string, lines = 50): Promise<string[]> {
  const r = await run('journalctl', ['-u', unit, '-n', String(lines), '--no-pager', '-o', 'short-iso'], {
    timeoutMs: 5000,
  });
  return r.stdout.split('\n').filter(Boolean);
}
