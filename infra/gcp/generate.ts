/**
 * Writes the Terraform files of infra/gcp from infra/settings.ts:
 *
 *   npx node infra/gcp/generate.ts           # (re)write *.tf.json
 *   npx node infra/gcp/generate.ts --check   # exit 1 when a committed file differs
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { REFERENCE_APP, resolveInfraSettings } from '../settings.ts';
import { renderTerraform } from './terraform.ts';

export const TERRAFORM_DIRECTORY = fileURLToPath(new URL('.', import.meta.url));

/** The generated files whose committed text differs from what the settings give now. */
export async function staleTerraformFiles(directory = TERRAFORM_DIRECTORY): Promise<string[]> {
  const stale: string[] = [];
  for (const [name, text] of Object.entries(renderTerraform(resolveInfraSettings(REFERENCE_APP, { platforms: ['gcp'] })))) {
    const committed = await readFile(join(directory, name), 'utf8').catch(() => undefined);
    if (committed !== text) stale.push(name);
  }
  return stale;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { check: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    process.stdout.write('usage: npx node infra/gcp/generate.ts [--check]\n  writes infra/gcp/*.tf.json from infra/settings.ts; --check only compares\n');
    return;
  }
  if (values.check) {
    const stale = await staleTerraformFiles();
    if (stale.length > 0) {
      process.stderr.write(`infra/gcp: out of date: ${stale.join(', ')}; run npx node infra/gcp/generate.ts\n`);
      process.exitCode = 1;
    }
    return;
  }
  const files = renderTerraform(resolveInfraSettings(REFERENCE_APP, { platforms: ['gcp'] }));
  for (const [name, text] of Object.entries(files)) await writeFile(join(TERRAFORM_DIRECTORY, name), text);
  process.stdout.write(`infra/gcp: wrote ${Object.keys(files).join(', ')}\n`);
}

if (import.meta.main) await main();
