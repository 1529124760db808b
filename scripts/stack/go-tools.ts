import { execFile } from 'node:child_process';
import path from 'node:path';

const script = path.resolve(__dirname, '../ensure-go-tool.sh');

/** The Go-built tools the stack runs: where to find or how to build each (scripts/ensure-go-tool.sh). */
export const GO_TOOLS = {
  // v1.5.1: the newest release whose go.mod has no `replace`; go1.24.4 when the machine's Go is too new for its deps.
  temporal: { module: 'github.com/temporalio/cli/cmd/temporal@v1.5.1', envVar: 'TEMPORAL_CLI', toolchain: 'go1.24.4' },
  'stripe-mock': { module: 'github.com/stripe/stripe-mock@v0.197.0', envVar: 'STRIPE_MOCK_BIN', toolchain: '' },
} as const;

/**
 * The tool's path: its env var, else on PATH, else .tools/bin, else built there with `go install`
 * (once). Null when none can be had; `log` hears what the build says.
 */
export function ensureGoTool(name: keyof typeof GO_TOOLS, log: (line: string) => void = () => undefined): Promise<string | null> {
  const t = GO_TOOLS[name];
  return new Promise((resolve) => {
    const child = execFile('bash', [script, name, t.module, t.envVar, t.toolchain], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout) =>
      resolve(err ? null : stdout.trim() || null),
    );
    child.stderr?.on('data', (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach(log));
  });
}
