import { loadConfig } from '../../core/config';
import { passwordWeakness } from '../../core/crypto';
import { newId } from '../../core/ids';

describe('configuration', () => {
  it('mounts every product at its own prefix by default', () => {
    expect(loadConfig({}).MOUNTS).toEqual([
      { product: 'panel', prefix: '/panel' },
      { product: 'gpu-lab', prefix: '/gpu-lab' },
      { product: 'billing', prefix: '/billing' },
      { product: 'paas', prefix: '/paas' },
      { product: 'academy', prefix: '/academy' },
    ]);
  });
  it('reads MOUNTS, with / meaning the root', () => {
    expect(loadConfig({ MOUNTS: 'panel=/, billing=/pay/' }).MOUNTS).toEqual([
      { product: 'panel', prefix: '' },
      { product: 'billing', prefix: '/pay' },
    ]);
  });
  it("follows panel.md's updater defaults, deriving the install script from the repository and branch", () => {
    expect(loadConfig({}).updateScriptUrl).toBe('https://raw.githubusercontent.com/wayangm/Nusantara-Panel/main/install.sh');
    expect(loadConfig({ PANEL_UPDATE_REPO_URL: 'https://github.com/acme/panel', PANEL_UPDATE_BRANCH: 'stable' }).updateScriptUrl).toBe(
      'https://raw.githubusercontent.com/acme/panel/stable/install.sh',
    );
  });
  it('names what is wrong', () => {
    expect(() => loadConfig({ MOUNTS: 'shop=/shop' })).toThrow('unknown product "shop"');
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ PANEL_BOOTSTRAP_PASSWORD: 'short' })).toThrow(/PANEL_BOOTSTRAP_PASSWORD/);
  });
});

describe('password strength', () => {
  it.each([
    ['Correct-Horse-9', null],
    ['short1A!', 'must be at least 12 characters'],
    ['alllowercaseletters', 'must mix at least three of: lowercase, uppercase, digits, symbols'],
    ['Admin-Passw0rd-admin', 'must not contain the username'],
  ])('%s → %s', (pw, reason) => expect(passwordWeakness(pw, 'admin')).toBe(reason));
});

describe('ids', () => {
  it('are prefixed, unique and sort by creation time', async () => {
    const a = newId('site');
    await new Promise((r) => setTimeout(r, 2));
    const b = newId('site');
    expect(a).toMatch(/^site_[a-z0-9]{21}$/);
    expect(a < b).toBe(true);
  });
});
