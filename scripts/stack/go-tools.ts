import { execFile } from 'node:child_process';
import path from 'node:path';

const script = path.resolve(__dirname, '../ensure-go-tool.sh');

/** The Go-built tools the stack runs: where to find or how to build each (scripts/ensure-go-tool.sh). */
export const GO_TOOLS = {
  // v1.5.1: the newest release whose go.mod has no `replace`; go1.24.4 when the machine's Go is too new for its deps.
  temporal: {
    label: 'the Temporal CLI',
    module: 'github.com/temporalio/cli/cmd/temporal@v1.5.1',
    envVar: 'TEMPORAL_CLI',
    toolchain: 'go1.24.4',
  },
  'stripe-mock': {
    label: 'stripe-mock',
    module: 'github.com/stripe/stripe-mock@v0.197.0',
    envVar: 'STRIPE_MOCK_BIN',
    toolchain: '',
  },
} as const;

/** How often a build in progress says so. */
const PROGRESS_EVERY_MS = 10_000;

/**
 * The tool's path: its env var, else on PATH, else .tools/bin, else built there with `go install`
 * (once, minutes on a bare machine). Null when none can be had. While it builds, `log` hears a
 * line every 10 s with the time so far and the modules fetched and packages compiled (go's own
 * per-package lines are counted, not shown), then once that later starts reuse the binary.
 */
export function ensureGoTool(
  name: keyof typeof GO_TOOLS,
  log: (line: string) => void = () => undefined,
): Promise<string | null> {
  const t = GO_TOOLS[name];
  let building: { since: number; timer: NodeJS.Timeout } | null = null;
  let downloaded = 0;
  let compiled = 0;
  const progress = () => {
    const s = Math.round((Date.now() - (building?.since ?? Date.now())) / 1000);
    const parts = [`${s} s`];
    if (downloaded) parts.push(`${downloaded} modules fetched`);
    if (compiled) parts.push(`${compiled} packages compiled`);
    return parts.join(', ');
  };
  const onLine = (line: string) => {
    if (line.startsWith('ensure-go-tool: building')) {
      log(`building ${t.label} with go install (once; a few minutes on a bare machine)…`);
      building = {
        since: Date.now(),
        timer: setInterval(() => log(`  still building ${t.label}: ${progress()}`), PROGRESS_EVERY_MS),
      };
    } else if (line.startsWith('go: downloading ')) downloaded++;
    else if (building && /^[\w.~/-]+$/.test(line))
      compiled++; // `go install -v`: one package path a line
    else log(line);
  };
  return new Promise((resolve) => {
    const child = execFile(
      'bash',
      [script, name, t.module, t.envVar, t.toolchain],
      { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, GO_TOOL_VERBOSE: '1' } },
      (err, stdout) => {
        const bin = err ? null : stdout.trim() || null;
        if (building) {
          clearInterval(building.timer);
          log(
            bin
              ? `built ${t.label} in ${progress()} into ${bin}: later starts reuse it and take seconds`
              : `building ${t.label} failed after ${progress()}`,
          );
        }
        resolve(bin);
      },
    );
    let partial = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      lines.filter(Boolean).forEach(onLine);
    });
  });
}
