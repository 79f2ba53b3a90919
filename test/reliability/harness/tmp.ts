/** A scratch directory per run (ledgers), removed afterwards unless KEEP_LEDGERS is set. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function scratchDir(name: string): { readonly path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `jobferry-${name.replace(/\W+/g, '-')}-`));
  return {
    path,
    remove() {
      if (process.env.KEEP_LEDGERS) return;
      rmSync(path, { recursive: true, force: true });
    },
  };
}
