import { readFile } from 'node:fs/promises';

/** Parses os-release's KEY=value lines (values may be quoted). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]] = m[2].replace(/^(["'])(.*)\1$/, '$2');
  }
  return out;
}

/** The panel targets Ubuntu 22.04 or newer. */
export function isSupported(id: string, versionId: string): boolean {
  const [major, minor = '0'] = versionId.split('.');
  return id === 'ubuntu' && (Number(major) > 22 || (Number(major) === 22 && Number(minor) >= 4));
}

export async function compatibility(osReleaseFile: string) {
  const release = parseOsRelease(await readFile(osReleaseFile, 'utf8').catch(() => ''));
  const id = release.ID ?? 'unknown';
  const versionId = release.VERSION_ID ?? 'unknown';
  return {
    target_os: 'ubuntu 22.04+',
    single_server_only: true,
    native_on_server: true,
    compatibility_info: {
      goos: process.platform,
      id,
      version_id: versionId,
      supported: isSupported(id, versionId),
    },
  };
}
