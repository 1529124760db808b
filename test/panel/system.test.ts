import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isSupported, parseOsRelease } from '../../api/products/panel/system';
import { startApi } from '../support/api';

describe('GET /v1/system/compatibility', () => {
  it('reads the host os-release and supports only Ubuntu 22.04+', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'osr-'));
    const file = path.join(dir, 'os-release');
    writeFileSync(file, 'NAME="Ubuntu"\nID=ubuntu\nVERSION_ID="24.04"\n');
    const api = await startApi({ PANEL_OS_RELEASE_FILE: file });
    try {
      const res = await api.request('GET', '/panel/v1/system/compatibility');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        target_os: 'ubuntu 22.04+',
        single_server_only: true,
        native_on_server: true,
        compatibility_info: { goos: 'linux', id: 'ubuntu', version_id: '24.04', supported: true },
      });
    } finally {
      await api.close();
    }
  });

  it('answers for this very host from /etc/os-release', async () => {
    const api = await startApi();
    try {
      const res = await api.request('GET', '/panel/v1/system/compatibility');
      const release = parseOsRelease(readFileSync('/etc/os-release', 'utf8'));
      expect(res.body.compatibility_info).toMatchObject({ id: release.ID, version_id: release.VERSION_ID });
    } finally {
      await api.close();
    }
  });

  it.each([
    ['ubuntu', '22.04', true],
    ['ubuntu', '22.10', true],
    ['ubuntu', '24.04', true],
    ['ubuntu', '20.04', false],
    ['debian', '12', false],
    ['unknown', 'unknown', false],
  ])('%s %s supported: %s', (id, version, expected) => {
    expect(isSupported(id, version)).toBe(expected);
  });
});
