import { Invalid } from '../../../core/errors';
import type { HealthCheck, ServiceConfig, ServiceResources, TemplateVariable } from '../../../types/paas';

/*
 * Pure functions that turn what a client sends (and a template) into the config a service runs:
 * placeholders filled, passwords generated, secrets marked, limits checked. No I/O here: the unit
 * tests in test/unit/paas cover them directly.
 */

const PLACEHOLDER = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** An environment key or variable whose value is a password: generated when left empty, masked in views. */
export const isSecretName = (name: string) => /PASSWORD|PASSWD|SECRET|TOKEN|(^|_)PASS$/i.test(name);

/** What masks a secret value for anyone but the service's creator; sent back in an update, it keeps the value. */
export const MASK = '********';

/** The names of the `{{VAR}}` placeholders in a string, in order of appearance. */
export function placeholdersIn(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]);
}

/** Replaces every `{{VAR}}` with its value (every name must have one: resolve them first). */
export function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (_, name: string) => values[name]);
}

/** What the client sent under `config` (every part optional: a template supplies the rest). */
export interface ConfigInput {
  image?: string;
  ports?: number[];
  environment?: Record<string, string>;
  resources?: Partial<ServiceResources>;
  nomad_job_file?: string;
  custom_variables?: Record<string, string>;
}

/** A base to build on: a template's config (placeholders) or a service's current one (filled). */
export interface ConfigBase {
  config: Partial<ServiceConfig>;
  variables: Record<string, TemplateVariable>;
  /** The template's health check and the image it is written for (it applies only to that image). */
  health: { image: string; check: HealthCheck | null } | null;
  /** The base's known secret keys and values (an update keeps them unless replaced). */
  secrets?: Record<string, 'generated' | 'given'>;
}

export interface ResolvedConfig {
  config: ServiceConfig;
  secrets: Record<string, 'generated' | 'given'>;
  healthCheck: HealthCheck | null;
}

/** `docker.io/library/postgres` for `postgres:16`: an image's repository, without tag or digest. */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0];
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const repo = colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
  const parts = repo.split('/');
  const hasRegistry = parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === 'localhost');
  if (hasRegistry) return repo;
  return parts.length === 1 ? `docker.io/library/${repo}` : `docker.io/${repo}`;
}

/** `docker.io/library/postgres:16` for `postgres:16`; `:latest` when it has neither tag nor digest. */
export function fullImageName(image: string): string {
  const [name, digest] = image.split('@');
  const lastSlash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > lastSlash ? name.slice(colon) : digest ? '' : ':latest';
  return `${imageRepository(image)}${tag}${digest ? `@${digest}` : ''}`;
}

/**
 * Whether `image` matches one of the allowlist's patterns (`*` = any run of characters), as given
 * or in its full form (so `docker.io/library/*` admits `postgres:16`); a null list admits any.
 */
export function imageAllowed(image: string, allowlist: string[] | null): boolean {
  if (!allowlist) return true;
  const forms = [image, fullImageName(image)];
  return allowlist.some((pattern) => {
    const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
    return forms.some((f) => re.test(f));
  });
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The config a service runs: `input` over `base` (a template's or the service's current config),
 * `{{VAR}}` placeholders filled from custom_variables, then the base's defaults, then (for a
 * secret, or a name that says password) a generated value. A required variable nobody gave is a
 * 400 naming it. Secret values generated or given are recorded in `secrets`; custom_variables
 * keeps only the non-secret ones (a password lives in the environment alone).
 */
export function resolveConfig(
  base: ConfigBase | null,
  input: ConfigInput,
  generate: () => string,
): ResolvedConfig {
  const from = base?.config ?? {};
  const image = input.image ?? from.image;
  const ports = input.ports ?? from.ports;
  const resources = { ...from.resources, ...input.resources };
  if (!image) throw new Invalid('config.image: is required (or give template_id)', 'config.image');
  if (!ports) throw new Invalid('config.ports: is required (or give template_id)', 'config.ports');
  for (const key of ['cpu', 'memory', 'disk'] as const)
    if (resources[key] === undefined)
      throw new Invalid(
        `config.resources.${key}: is required (or give template_id)`,
        `config.resources.${key}`,
      );

  const variables = base?.variables ?? {};
  const given = { ...from.custom_variables, ...input.custom_variables };
  const rawEnv = input.environment ?? from.environment ?? {};
  const values: Record<string, string> = {};
  const generated = new Set<string>();
  const secretVars = new Set<string>();

  const valueOf = (name: string, usedBy: string): string => {
    if (name in values) return values[name];
    const declared = variables[name];
    const secret = declared?.secret === true || isSecretName(name);
    if (secret) secretVars.add(name);
    if (given[name] !== undefined) values[name] = given[name];
    else if (declared?.default !== undefined) values[name] = declared.default;
    else if (secret) {
      values[name] = generate();
      generated.add(name);
    } else
      throw new Invalid(
        `config.custom_variables.${name}: is required (used by ${usedBy})`,
        `config.custom_variables.${name}`,
      );
    return values[name];
  };

  const environment: Record<string, string> = {};
  const secrets: Record<string, 'generated' | 'given'> = {};
  for (const [key, raw] of Object.entries(rawEnv)) {
    const names = placeholdersIn(raw);
    for (const name of names) valueOf(name, `config.environment.${key}`);
    let value = fillPlaceholders(raw, values);
    const fromSecret = names.filter((n) => secretVars.has(n));
    if (raw === MASK && base?.secrets?.[key] && from.environment?.[key] !== undefined) {
      // A masked value sent back unchanged (a reader who is not the creator): keep the current one.
      value = from.environment[key];
      secrets[key] = base.secrets[key];
    } else if (value === '' && isSecretName(key)) {
      value = generate();
      secrets[key] = 'generated';
    } else if (fromSecret.length > 0)
      secrets[key] = fromSecret.every((n) => generated.has(n)) ? 'generated' : 'given';
    else if (raw === from.environment?.[key] && base?.secrets?.[key])
      secrets[key] = base.secrets[key]; // unchanged: still the secret it was
    else if (isSecretName(key)) secrets[key] = 'given';
    environment[key] = value;
  }

  const isSecretVar = (name: string) => variables[name]?.secret === true || isSecretName(name);
  // The values that filled placeholders (given or defaults), passwords left out: an update refills from them.
  const customVariables = Object.fromEntries(
    Object.entries({ ...given, ...values }).filter(([name]) => !isSecretVar(name)),
  );
  const config: ServiceConfig = {
    image,
    ports,
    environment,
    resources: resources as ServiceResources,
    ...((input.nomad_job_file ?? from.nomad_job_file) !== undefined && {
      nomad_job_file: input.nomad_job_file ?? from.nomad_job_file,
    }),
    ...(Object.keys(customVariables).length > 0 && { custom_variables: customVariables }),
  };

  const lookup = (name: string) => values[name] ?? given[name] ?? variables[name]?.default;
  return { config, secrets, healthCheck: healthCheckFor(base?.health ?? null, image, lookup) };
}

/**
 * The template's health check, placeholders filled, when the service still runs the template's
 * image (another image may lack its tools): else null, the first port accepting connections.
 */
function healthCheckFor(
  health: ConfigBase['health'],
  image: string,
  lookup: (name: string) => string | undefined,
): HealthCheck | null {
  const check = health?.check;
  if (!check || imageRepository(health.image) !== imageRepository(image)) return null;
  if (check.type === 'tcp') return check;
  return {
    type: 'command',
    command: check.command.map((arg) => arg.replace(PLACEHOLDER, (raw, name: string) => lookup(name) ?? raw)),
  };
}

/** The largest a single service may ask for: the largest host's capacity. */
export interface HostLimits {
  cpuMhz: number;
  memoryMb: number;
}

/** cpu and memory must fit the largest host (a bigger service could never be placed). */
export function checkFitsHost(resources: ServiceResources, limits: HostLimits): void {
  if (resources.cpu > limits.cpuMhz)
    throw new Invalid(
      `config.resources.cpu: must be at most ${limits.cpuMhz} MHz (the largest host)`,
      'config.resources.cpu',
    );
  if (resources.memory > limits.memoryMb)
    throw new Invalid(
      `config.resources.memory: must be at most ${limits.memoryMb} MB (the largest host)`,
      'config.resources.memory',
    );
}

/** The environment as a reader sees it: secret values masked unless the reader created the service. */
export function maskedConfig(
  config: ServiceConfig,
  secrets: Record<string, string>,
  reveal: boolean,
): ServiceConfig {
  if (reveal) return config;
  const environment = Object.fromEntries(
    Object.entries(config.environment).map(([k, v]) => [k, k in secrets ? MASK : v]),
  );
  return { ...config, environment };
}
