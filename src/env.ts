/**
 * The only module that reads environment variables. `JOBFERRY_ADAPTER=sqs`,
 * `JOBFERRY_SQS_QUEUE_URL=...`, `JOBFERRY_CONCURRENCY=8`: common options take `JOBFERRY_`
 * + the option in SCREAMING_SNAKE case, adapter options add the adapter's name.
 */
import { ADAPTER_NAMES, cloudTasksConfigSchema, memoryConfigSchema, parseConfig, sqsConfigSchema, type JobferryConfig } from './config.ts';
import { ConfigError } from './errors.ts';
import { closest } from './suggest.ts';

const PREFIX = 'JOBFERRY_';
const SHAPES = { memory: memoryConfigSchema.shape, sqs: sqsConfigSchema.shape, 'cloud-tasks': cloudTasksConfigSchema.shape };
const COMMON = new Set(Object.keys(memoryConfigSchema.shape).filter((k) => k in sqsConfigSchema.shape && k in cloudTasksConfigSchema.shape));

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
const adapterPrefix = (adapter: string) => `${PREFIX}${snake(adapter).replace(/-/g, '_')}_`;

/** The variable that sets `option` for `adapter`. */
export function envName(adapter: string, option: string): string {
  return COMMON.has(option) ? `${PREFIX}${snake(option)}` : `${adapterPrefix(adapter)}${snake(option)}`;
}

/**
 * Loads the configuration from `JOBFERRY_*` variables (default: process.env), with `overrides`
 * on top. The adapter defaults to `memory`. Unknown `JOBFERRY_*` variables of the chosen
 * adapter are errors (a typo must not fall back to a default silently).
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Record<string, unknown> = {}): JobferryConfig {
  const adapter = selectedAdapter(env, overrides);
  const shape = SHAPES[adapter as keyof typeof SHAPES];
  if (shape === undefined) throw new ConfigError([`${PREFIX}ADAPTER: must be one of ${ADAPTER_NAMES.join(', ')}, got ${JSON.stringify(adapter)}`]);
  const input: Record<string, unknown> = { adapter };
  const byVar = new Map<string, string>();
  for (const option of Object.keys(shape)) {
    if (option === 'adapter') continue;
    const name = envName(adapter, option);
    byVar.set(name, option);
    const value = env[name];
    if (value !== undefined && value !== '') input[option] = value;
  }
  const problems: string[] = [];
  const own = adapterPrefix(adapter);
  const otherPrefixes = ADAPTER_NAMES.filter((a) => a !== adapter).map(adapterPrefix);
  for (const name of Object.keys(env)) {
    if (!name.startsWith(PREFIX) || name === `${PREFIX}ADAPTER` || byVar.has(name)) continue;
    // Variables of another adapter are left alone: switching adapters is one variable.
    if (otherPrefixes.some((p) => name.startsWith(p))) continue;
    if (name.startsWith(own) || !ADAPTER_NAMES.some((a) => name.startsWith(adapterPrefix(a)))) {
      const near = closest(name, byVar.keys());
      problems.push(`${name}: unknown variable for adapter ${adapter}${near ? ` (did you mean ${near}?)` : ''}`);
    }
  }
  const toEnv = new Map([...byVar].map(([name, option]) => [option, name]));
  try {
    const config = parseConfig({ ...input, ...overrides }, (path) => {
      const name = toEnv.get(path);
      return name && !(path in overrides) ? `${name} (${path})` : path;
    });
    if (problems.length > 0) throw new ConfigError(problems);
    return config;
  } catch (error) {
    // One message naming every wrong variable, not just the first kind found.
    if (error instanceof ConfigError && problems.length > 0 && error.issues !== problems) throw new ConfigError([...problems, ...error.issues]);
    throw error;
  }
}

/** The adapter loadConfig picks: `overrides.adapter`, else JOBFERRY_ADAPTER, else `memory`. Not checked here. */
export function selectedAdapter(env: Record<string, string | undefined> = process.env, overrides: Record<string, unknown> = {}): string {
  return String(overrides.adapter ?? env[`${PREFIX}ADAPTER`] ?? 'memory');
}

/** Whether `env` sets `option` of `adapter`: its JOBFERRY_* variable is there and not empty. */
export function isOptionSet(adapter: string, option: string, env: Record<string, string | undefined> = process.env): boolean {
  const value = env[envName(adapter, option)];
  return value !== undefined && value !== '';
}

/**
 * The port a server entry listens on: `PORT` (set by Cloud Run and most container platforms),
 * else `fallback`. A value that is not a port is a ConfigError naming it.
 */
export function listenPort(fallback: number, env: Record<string, string | undefined> = process.env): number {
  const raw = env.PORT;
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!/^[0-9]{1,5}$/.test(raw) || port > 65_535) throw new ConfigError([`PORT: must be an integer from 0 to 65535, got ${JSON.stringify(raw)}`]);
  return port;
}

/**
 * Variables that cloud runtimes set: Cloud Run services and jobs, Cloud Run functions, App
 * Engine, AWS Lambda, ECS, Kubernetes (GKE, EKS), Azure. Used to refuse unsafe development
 * settings (a push handler without token verification) where real traffic could reach them.
 */
export const CLOUD_RUNTIME_VARIABLES: readonly string[] = [
  'K_SERVICE',
  'K_REVISION',
  'CLOUD_RUN_JOB',
  'FUNCTION_TARGET',
  'FUNCTION_NAME',
  'GAE_APPLICATION',
  'GAE_SERVICE',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_EXECUTION_ENV',
  'ECS_CONTAINER_METADATA_URI_V4',
  'KUBERNETES_SERVICE_HOST',
  'WEBSITE_SITE_NAME',
];

/** The first cloud-runtime variable set in `env` (default: process.env), or undefined on a developer machine. */
export function detectCloudRuntime(env: Record<string, string | undefined> = process.env): string | undefined {
  return CLOUD_RUNTIME_VARIABLES.find((name) => env[name] !== undefined && env[name] !== '');
}
