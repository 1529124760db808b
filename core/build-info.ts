import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface BuildInfo {
  version: string;
  commit: string | null;
  build_time: string | null;
  /** stamped: written by `npm run build`; source: running from the working tree (commit from git). */
  source: 'stamped' | 'source';
}

const root = path.resolve(__dirname, '..');

/** Where `npm run build` stamps the build: beside the compiled code (dist/build-info.json). */
export const stampedFile = path.resolve(__dirname, '../build-info.json');

/** The running build: the stamp when there is one, else package.json and the checkout's HEAD. */
export function readBuildInfo(file = stampedFile): BuildInfo {
  if (existsSync(file)) return { ...JSON.parse(readFileSync(file, 'utf8')), source: 'stamped' };
  return { version: packageVersion(), commit: gitHead(root), build_time: null, source: 'source' };
}

export function packageVersion(): string {
  return JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).version;
}

export function gitHead(dir: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}
