import { billingSettings } from '../../../api/products/billing/config';
import { gpuLabSettings } from '../../../api/products/gpu-lab/config';
import { panelSettings } from '../../../api/products/panel/config';
import { productSettings } from '../../../api/products/settings';
import { ConfigError, loadConfig, platformSettings } from '../../../core/config';

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
    expect(loadConfig({}).updateScriptUrl).toBe(
      'https://raw.githubusercontent.com/wayangm/Nusantara-Panel/main/install.sh',
    );
    expect(
      loadConfig({ PANEL_UPDATE_REPO_URL: 'https://github.com/acme/panel', PANEL_UPDATE_BRANCH: 'stable' })
        .updateScriptUrl,
    ).toBe('https://raw.githubusercontent.com/acme/panel/stable/install.sh');
  });
  it('names what is wrong', () => {
    expect(() => loadConfig({ MOUNTS: 'shop=/shop' })).toThrow('unknown product "shop"');
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ PANEL_BOOTSTRAP_PASSWORD: 'short' })).toThrow(/PANEL_BOOTSTRAP_PASSWORD/);
  });

  it('takes the defaults from an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      PORT: 3000,
      TRUST_PROXY: false,
      WORKER_ROLES: ['control', 'host'],
      BILLING_DUNNING_SCHEDULE: [86400, 259200, 432000],
      GPULAB_PORT_RANGE: { from: 20000, to: 29999 },
      GPULAB_HOST_CAPACITY: {},
      GPULAB_HOSTS: null,
      PANEL_PROXY_DENIED_PORTS: [2375, 2376],
      BILLING_CHECKOUT_RETURN_ORIGINS: null,
      publicUrl: 'http://localhost:3000',
    });
    expect(c.GPULAB_CONTAINER_CMD).toBeUndefined();
  });

  it('turns each text variable into the value its users want', () => {
    const c = loadConfig({
      PORT: '8080',
      TRUST_PROXY: 'true',
      WORKER_ROLES: 'host',
      BILLING_DUNNING_SCHEDULE: '60,120',
      GPULAB_PORT_RANGE: '30000-30010',
      GPULAB_HOST_CAPACITY: 'gpu-1=8:32768,gpu-2=0.5:512',
      GPULAB_HOSTS: 'a, b',
      GPULAB_IMAGES: 'img:1, ,img:2',
      GPULAB_CONTAINER_CMD: '["sleep","infinity"]',
      PANEL_PROXY_DENIED_PORTS: '',
      BILLING_CHECKOUT_RETURN_ORIGINS: 'https://app.example.com/, http://localhost:5173',
    });
    expect(c).toMatchObject({
      PORT: 8080,
      TRUST_PROXY: true,
      WORKER_ROLES: ['host'],
      BILLING_DUNNING_SCHEDULE: [60, 120],
      GPULAB_PORT_RANGE: { from: 30000, to: 30010 },
      GPULAB_HOST_CAPACITY: { 'gpu-1': { cpus: 8, memoryMb: 32768 }, 'gpu-2': { cpus: 0.5, memoryMb: 512 } },
      GPULAB_HOSTS: ['a', 'b'],
      GPULAB_IMAGES: ['img:1', 'img:2'],
      GPULAB_CONTAINER_CMD: ['sleep', 'infinity'],
      PANEL_PROXY_DENIED_PORTS: [],
      BILLING_CHECKOUT_RETURN_ORIGINS: ['https://app.example.com', 'http://localhost:5173'],
      publicUrl: 'http://localhost:8080',
    });
    expect(loadConfig({ PUBLIC_URL: 'https://api.example.com' }).publicUrl).toBe('https://api.example.com');
  });

  it.each([
    [{ WORKER_ROLES: 'control,gpu' }, 'WORKER_ROLES.1: '],
    [{ GPULAB_CONTAINER_CMD: 'sleep 1' }, 'GPULAB_CONTAINER_CMD: must be a JSON array of strings'],
    [
      { GPULAB_HOST_CAPACITY: 'gpu-1=8' },
      'GPULAB_HOST_CAPACITY: must be host=cpus:memoryMb, comma-separated',
    ],
    [
      { BILLING_CHECKOUT_RETURN_ORIGINS: 'https://a.example/path' },
      'BILLING_CHECKOUT_RETURN_ORIGINS: must be a comma list of origins',
    ],
    [{ PANEL_NGINX_LISTEN: 'localhost:80' }, 'PANEL_NGINX_LISTEN: must be a port or address:port'],
    [
      { PANEL_SSL_RENEW_SCHEDULE: 'daily' },
      'PANEL_SSL_RENEW_SCHEDULE: must be a five-field cron expression or off',
    ],
    [{ DERMAGA_SECRET_KEY: 'abc' }, 'DERMAGA_SECRET_KEY: must be 64 hex characters'],
    [{ PORT: '70000' }, 'PORT: '],
  ])('refuses %j naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('lists every wrong variable at once, in one line', () => {
    expect(() => loadConfig({ PORT: 'eighty', TRUST_PROXY: 'yes' })).toThrow(
      /^invalid configuration: PORT: [^\n]*; TRUST_PROXY: [^\n]*$/,
    );
  });

  describe("products' own settings", () => {
    it("refuses a product's bad setting at load, naming its variable in the one ConfigError line", () => {
      const load = () =>
        loadConfig({ GPULAB_PORT_RANGE: '30010-30000', PANEL_BACKUP_KEEP: '0', PORT: 'eighty' });
      expect(load).toThrow(ConfigError);
      expect(load).toThrow(
        /^invalid configuration: PORT: [^\n;]*; PANEL_BACKUP_KEEP: [^\n;]*; GPULAB_PORT_RANGE: 30010-30000 must be from-to[^\n;]*$/,
      );
      expect(() => loadConfig({ BILLING_AFTER_DUNNING: 'paused' })).toThrow(
        /^invalid configuration: BILLING_AFTER_DUNNING: /,
      );
    });

    it("each product's schema parses its own variables from the whole environment", () => {
      const env = {
        PORT: '8080',
        PANEL_WEB_ROOT: '/srv/www',
        GPULAB_SSH_USER: 'res',
        BILLING_AFTER_DUNNING: 'unpaid',
      };
      expect(panelSettings.parse(env)).toMatchObject({ PANEL_WEB_ROOT: '/srv/www' });
      expect(panelSettings.parse(env)).not.toHaveProperty('PORT');
      expect(gpuLabSettings.parse(env)).toMatchObject({ GPULAB_SSH_USER: 'res' });
      expect(billingSettings.parse(env)).toMatchObject({ BILLING_AFTER_DUNNING: 'unpaid' });
      expect(loadConfig(env)).toMatchObject({
        PORT: 8080,
        PANEL_WEB_ROOT: '/srv/www',
        GPULAB_SSH_USER: 'res',
        BILLING_AFTER_DUNNING: 'unpaid',
      });
    });

    it('no two owners (the platform, each product) declare the same variable', () => {
      // panel's schema is an object piped into a transform (its derived updateScriptUrl): its variables are the object's.
      const variables = (s: unknown): string[] => {
        const schema = s as { shape?: object; in?: { shape: object } };
        return Object.keys(schema.shape ?? schema.in?.shape ?? {});
      };
      const owners = [platformSettings, ...productSettings].map(variables);
      const all = owners.flat();
      expect(all.filter((k, i) => all.indexOf(k) !== i)).toEqual([]);
      expect(owners.map((keys) => keys.length > 10)).toEqual(owners.map(() => true));
      expect(all).toEqual(
        expect.arrayContaining(['PORT', 'PANEL_UPDATE_SCRIPT_URL', 'GPULAB_JWT_SECRET', 'BILLING_SMTP_URL']),
      );
    });
  });
});
