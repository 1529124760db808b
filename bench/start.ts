import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');

/** Resident memory (KiB) of a process and all its descendants, from /proc. */
function treeRssKiB(pid: number): { kib: number; processes: string[] } {
  const parents = new Map<number, number>();
  const names = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      parents.set(Number(entry), Number(stat.slice(close + 2).split(' ')[1]));
      names.set(Number(entry), stat.slice(stat.indexOf('(') + 1, close));
    } catch {
      /* exited meanwhile */
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++)
    for (const [child, parent] of parents) if (parent === tree[i]) tree.push(child);
  let kib = 0;
  const processes: string[] = [];
  for (const p of tree) {
    const status = readFileSync(`/proc/${p}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    kib += rss;
    processes.push(`${names.get(p)} ${(rss / 1024).toFixed(0)} MiB`);
  }
  return { kib, processes };
}

/** Runs the quick-start command, times it to "ready", reads the stack's memory, then stops it. */
async function once(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer) => {
      output += c.toString();
      if (/ready in/.test(output)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`start exited ${code}:\n${output.slice(-3000)}`)));
  });
  const seconds = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 3000)); // let the stack settle before reading memory
  const { kib, processes } = treeRssKiB(child.pid as number);
  console.log(
    `start → ready: ${seconds.toFixed(1)} s; resident memory of the stack: ${(kib / 1024).toFixed(0)} MiB`,
  );
  console.log(`  ${processes.join(', ')}`);
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
  return seconds;
}

export async function run(): Promise<void> {
  console.log('first run (may initialise .data/ or build caches):');
  await once();
  console.log('warm run:');
  await once();
}
