/**
 * The JOBFERRY_* variable names the deployed entries read, taken from the configuration
 * schema itself (src/config.ts, src/env.ts): an option renamed or removed there fails here, at
 * synth and generation time, instead of as an unknown variable in the cloud.
 */
import { cloudTasksConfigSchema, sqsConfigSchema } from '../src/config.ts';
import { envName } from '../src/env.ts';

const SHAPES = { sqs: sqsConfigSchema.shape, 'cloud-tasks': cloudTasksConfigSchema.shape };

export type AdapterWithInfra = keyof typeof SHAPES;

/** The variable that sets `option` for `adapter`; throws when the schema has no such option. */
export function configVariable(adapter: AdapterWithInfra, option: string): string {
  if (!(option in SHAPES[adapter])) {
    throw new TypeError(`[infra] environment failed: the ${adapter} configuration has no option ${JSON.stringify(option)} (see src/config.ts)`);
  }
  return envName(adapter, option);
}

/** Builds `{ JOBFERRY_...: value }` from `{ option: value }`, every option checked against the schema. */
export function configEnvironment(adapter: AdapterWithInfra, options: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = { JOBFERRY_ADAPTER: adapter };
  for (const [option, value] of Object.entries(options)) env[configVariable(adapter, option)] = value;
  return env;
}
