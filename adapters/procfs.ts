import { readdir, readFile, statfs } from 'node:fs/promises';
import os from 'node:os';

/** Reads the host's own state from /proc and statfs: what `top`, `free` and `df` read. */

interface CpuTimes {
  idle: number;
  total: number;
}

async function cpuTimes(): Promise<CpuTimes> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]; // "cpu  user nice system idle iowait irq softirq steal ..."
  const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { idle: fields[3] + fields[4], total: fields.reduce((a, b) => a + b, 0) };
}

/** CPU busy share over a short sample window, in percent. */
export async function cpuUsagePercent(sampleMs = 200): Promise<number> {
  const a = await cpuTimes();
  await new Promise((r) => setTimeout(r, sampleMs));
  const b = await cpuTimes();
  const total = b.total - a.total;
  return total > 0 ? Math.round((1000 * (total - (b.idle - a.idle))) / total) / 10 : 0;
}

/** /proc/meminfo in bytes. */
export async function memInfo(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const line of (await readFile('/proc/meminfo', 'utf8')).split('\n')) {
    const m = /^(\w+):\s+(\d+)(?: kB)?/.exec(line);
    if (m) out[m[1]] = Number(m[2]) * 1024;
  }
  return out;
}

const REAL_FILESYSTEMS = new Set([
  'ext2',
  'ext3',
  'ext4',
  'xfs',
  'btrfs',
  'zfs',
  'f2fs',
  'vfat',
  'ntfs',
  'overlay',
  'fuseblk',
]);

/** Mounted disk filesystems (no proc, tmpfs, cgroup ...), each once, with its usage. */
export async function disks() {
  const seen = new Set<string>();
  const out = [];
  for (const line of (await readFile('/proc/mounts', 'utf8')).split('\n')) {
    const [device, mount, type] = line.split(' ');
    if (!mount || !REAL_FILESYSTEMS.has(type) || seen.has(device)) continue;
    seen.add(device);
    const s = await statfs(mount.replace(/\\040/g, ' ')).catch(() => null);
    if (!s) continue;
    const total = s.blocks * s.bsize;
    const available = s.bavail * s.bsize;
    const used = total - s.bfree * s.bsize;
    out.push({
      mount,
      device,
      type,
      total_bytes: total,
      used_bytes: used,
      available_bytes: available,
      used_percent: total ? round1((100 * used) / (used + available)) : 0,
    });
  }
  return out;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export const uptimeSeconds = () => Math.floor(os.uptime());
export const loadAverage = () => {
  const [m1, m5, m15] = os.loadavg();
  const r2 = (n: number) => Math.round(n * 100) / 100;
  return { '1m': r2(m1), '5m': r2(m5), '15m': r2(m15) };
};

export interface ProcessEntry {
  pid: number;
  cmdline: string;
}

/** Every process's command line, as `ps -eo pid,args` shows it. */
export async function processes(): Promise<ProcessEntry[]> {
  const out: ProcessEntry[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const raw = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (raw) out.push({ pid: Number(entry), cmdline: raw.replace(/\0/g, ' ').trim() });
  }
  return out;
}

/**
 * Local TCP ports in [from, to] that some socket holds (listening or connected; TIME_WAIT and
 * closed sockets do not stop a new listener binding), from /proc/net/tcp and tcp6: what `ss -tan`
 * reads. Any local address counts, since a listener on the wildcard and one on a given address
 * clash on the port. Besides this process's network namespace, pid 1's is read too: a worker in a
 * container sharing the host's pid namespace (docker-compose.yml) sees the host's sockets there,
 * which is where Docker publishes; where pid 1's cannot be read, ours alone answers.
 */
export async function tcpPortsInUse(from: number, to: number): Promise<number[]> {
  const TIME_WAIT = '06';
  const CLOSE = '07';
  const read = (file: string, tolerate: string[]) =>
    readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (tolerate.includes(err.code ?? '')) return '';
      throw err;
    });
  const tables = await Promise.all([
    read('/proc/net/tcp', []),
    read('/proc/net/tcp6', ['ENOENT']), // no IPv6 in this kernel
    read('/proc/1/net/tcp', ['ENOENT', 'EACCES', 'EPERM']),
    read('/proc/1/net/tcp6', ['ENOENT', 'EACCES', 'EPERM']),
  ]);
  const ports = new Set<number>();
  for (const text of tables)
    for (const line of text.split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state === TIME_WAIT || state === CLOSE) continue;
      const port = parseInt(local.slice(local.lastIndexOf(':') + 1), 16);
      if (port >= from && port <= to) ports.add(port);
    }
  return [...ports].sort((a, b) => a - b);
}
