import {
  checkFitsHost,
  fillPlaceholders,
  fullImageName,
  imageAllowed,
  imageRepository,
  MASK,
  maskedConfig,
  placeholdersIn,
  resolveConfig,
  type ConfigBase,
} from '../../../api/products/paas/service-config';
import { AppError } from '../../../core/errors';

const postgres: ConfigBase = {
  config: {
    image: 'postgres:16',
    ports: [5432],
    environment: {
      POSTGRES_USER: '{{DB_USER}}',
      POSTGRES_PASSWORD: '{{DB_PASSWORD}}',
      POSTGRES_DB: '{{DB_NAME}}',
    },
    resources: { cpu: 500, memory: 1024, disk: 2048 },
    nomad_job_file: 'postgresql.nomad',
  },
  variables: {
    DB_USER: { description: 'owner', default: 'app' },
    DB_PASSWORD: { description: 'password', secret: true },
    DB_NAME: { description: 'name', default: 'app' },
  },
  health: { image: 'postgres:16', check: { type: 'command', command: ['pg_isready', '-U', '{{DB_USER}}'] } },
};

let n = 0;
const generate = () => `generated-${n++}`;

/** The 400 a call throws: its message and field. */
function refusal(fn: () => unknown): { message: string; field?: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return { message: err.message, field: err.field };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('placeholders', () => {
  it('finds {{VAR}} names (spaces allowed inside the braces) and fills them', () => {
    expect(placeholdersIn('postgres://{{ USER }}:{{PASS}}@db/{{USER}}')).toEqual(['USER', 'PASS', 'USER']);
    expect(fillPlaceholders('a{{X}}b{{ Y }}c', { X: '1', Y: '2' })).toBe('a1b2c');
    expect(placeholdersIn('no {{1BAD}} {single} placeholders')).toEqual([]);
  });
});

describe('resolveConfig from a template', () => {
  it('fills from custom_variables, then defaults, and generates a secret nobody gave', () => {
    const r = resolveConfig(postgres, { custom_variables: { DB_NAME: 'mydb' } }, generate);
    expect(r.config.environment.POSTGRES_DB).toBe('mydb');
    expect(r.config.environment.POSTGRES_USER).toBe('app');
    expect(r.config.environment.POSTGRES_PASSWORD).toMatch(/^generated-/);
    expect(r.secrets).toEqual({ POSTGRES_PASSWORD: 'generated' });
    // Non-secret values that filled placeholders are kept; the password lives in the environment only.
    expect(r.config.custom_variables).toEqual({ DB_NAME: 'mydb', DB_USER: 'app' });
    expect(r.config.nomad_job_file).toBe('postgresql.nomad');
    expect(r.healthCheck).toEqual({ type: 'command', command: ['pg_isready', '-U', 'app'] });
  });

  it('uses a given password as given, and records it as a secret', () => {
    const r = resolveConfig(postgres, { custom_variables: { DB_PASSWORD: 'S3cret!' } }, generate);
    expect(r.config.environment.POSTGRES_PASSWORD).toBe('S3cret!');
    expect(r.secrets).toEqual({ POSTGRES_PASSWORD: 'given' });
    expect(r.config.custom_variables).not.toHaveProperty('DB_PASSWORD');
  });

  it("overrides the template's parts the client gives, resources field by field", () => {
    const r = resolveConfig(postgres, { image: 'postgres:17', resources: { memory: 2048 } }, generate);
    expect(r.config.image).toBe('postgres:17');
    expect(r.config.resources).toEqual({ cpu: 500, memory: 2048, disk: 2048 });
    // Same repository: the template's health check still applies.
    expect(r.healthCheck?.type).toBe('command');
    const other = resolveConfig(postgres, { image: 'busybox:1.36' }, generate);
    expect(other.healthCheck).toBeNull();
  });

  it('refuses a placeholder with neither value nor default, naming the variable', () => {
    const base: ConfigBase = {
      ...postgres,
      config: { ...postgres.config, environment: { A: '{{REGION}}' } },
    };
    expect(refusal(() => resolveConfig(base, {}, generate))).toEqual({
      message: 'config.custom_variables.REGION: is required (used by config.environment.A)',
      field: 'config.custom_variables.REGION',
    });
  });
});

describe("resolveConfig from the client's own config", () => {
  const own = {
    image: 'busybox:1.36',
    ports: [8080],
    environment: {
      GREETING: 'hi {{WHO}}',
      ADMIN_PASSWORD: '',
      API_TOKEN: 'given-token',
      DB_PASS: '{{DB_PASS}}',
    },
    resources: { cpu: 100, memory: 64, disk: 128 },
    custom_variables: { WHO: 'there' },
  };

  it('fills placeholders, generates an empty password and an undeclared secret placeholder', () => {
    const r = resolveConfig(null, own, generate);
    expect(r.config.environment.GREETING).toBe('hi there');
    expect(r.config.environment.ADMIN_PASSWORD).toMatch(/^generated-/);
    expect(r.config.environment.DB_PASS).toMatch(/^generated-/);
    expect(r.secrets).toEqual({ ADMIN_PASSWORD: 'generated', API_TOKEN: 'given', DB_PASS: 'generated' });
    expect(r.healthCheck).toBeNull();
  });

  it('requires image, ports and every resource without a template', () => {
    expect(refusal(() => resolveConfig(null, { ...own, image: undefined }, generate)).field).toBe(
      'config.image',
    );
    expect(refusal(() => resolveConfig(null, { ...own, ports: undefined }, generate)).field).toBe(
      'config.ports',
    );
    expect(
      refusal(() => resolveConfig(null, { ...own, resources: { cpu: 1, memory: 64 } }, generate)).field,
    ).toBe('config.resources.disk');
  });
});

describe('resolveConfig on update (the current config as base)', () => {
  const current = resolveConfig(postgres, {}, generate);
  const base: ConfigBase = {
    config: current.config,
    variables: postgres.variables,
    health: postgres.health,
    secrets: current.secrets,
  };

  it('keeps a password sent back masked, and its generated mark', () => {
    const env = { ...current.config.environment, POSTGRES_PASSWORD: MASK, POSTGRES_DB: 'other' };
    const r = resolveConfig(base, { environment: env }, generate);
    expect(r.config.environment.POSTGRES_PASSWORD).toBe(current.config.environment.POSTGRES_PASSWORD);
    expect(r.secrets).toEqual({ POSTGRES_PASSWORD: 'generated' });
    expect(r.config.environment.POSTGRES_DB).toBe('other');
  });

  it('takes a new password as given', () => {
    const env = { ...current.config.environment, POSTGRES_PASSWORD: 'newpassword' };
    const r = resolveConfig(base, { environment: env }, generate);
    expect(r.config.environment.POSTGRES_PASSWORD).toBe('newpassword');
    expect(r.secrets).toEqual({ POSTGRES_PASSWORD: 'given' });
  });

  it('keeps everything when nothing changes', () => {
    expect(resolveConfig(base, {}, generate).config).toEqual(current.config);
  });
});

describe('images', () => {
  it('names the full repository and reference', () => {
    expect(imageRepository('postgres:16')).toBe('docker.io/library/postgres');
    expect(imageRepository('bitnami/redis:7.4')).toBe('docker.io/bitnami/redis');
    expect(imageRepository('registry.local:5000/team/app:1.2')).toBe('registry.local:5000/team/app');
    expect(imageRepository('localhost/app')).toBe('localhost/app');
    expect(fullImageName('postgres')).toBe('docker.io/library/postgres:latest');
    expect(fullImageName(`redis@sha256:${'a'.repeat(64)}`)).toBe(
      `docker.io/library/redis@sha256:${'a'.repeat(64)}`,
    );
  });

  it('admits by the allowlist, as given or in full form; no list admits any', () => {
    expect(imageAllowed('anything:1', null)).toBe(true);
    const list = ['postgres:*', 'docker.io/bitnami/*', 'registry.local/*'];
    expect(imageAllowed('postgres:16', list)).toBe(true);
    expect(imageAllowed('bitnami/redis:7.4', list)).toBe(true);
    expect(imageAllowed('registry.local/team/app:2', list)).toBe(true);
    expect(imageAllowed('mysql:8.4', list)).toBe(false);
    expect(imageAllowed('evil.example/postgres:16', list)).toBe(false);
    expect(imageAllowed('postgres', ['docker.io/library/postgres:latest'])).toBe(true);
  });
});

describe('limits and masking', () => {
  it('refuses cpu or memory beyond the largest host, naming the field', () => {
    const limits = { cpuMhz: 4000, memoryMb: 8192 };
    expect(() => checkFitsHost({ cpu: 4000, memory: 8192, disk: 1 }, limits)).not.toThrow();
    expect(refusal(() => checkFitsHost({ cpu: 4001, memory: 1, disk: 1 }, limits)).field).toBe(
      'config.resources.cpu',
    );
    expect(refusal(() => checkFitsHost({ cpu: 1, memory: 8193, disk: 1 }, limits)).field).toBe(
      'config.resources.memory',
    );
  });

  it('masks secret values unless revealed', () => {
    const config = {
      image: 'x',
      ports: [1],
      environment: { A: 'a', PASSWORD: 'p' },
      resources: { cpu: 1, memory: 6, disk: 1 },
    };
    expect(maskedConfig(config, { PASSWORD: 'generated' }, false).environment).toEqual({
      A: 'a',
      PASSWORD: MASK,
    });
    expect(maskedConfig(config, { PASSWORD: 'generated' }, true)).toBe(config);
  });
});
