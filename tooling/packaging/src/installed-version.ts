/** The version of a dependency as installed in this repository, so scratch projects test what the repo tests. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './packages.ts';

/** Version of `name` as resolved from `fromDir` (a directory of the repository, e.g. `packages/storage-durable-objects`). */
export function installedVersion(name: string, fromDir: string): string {
  const require = createRequire(join(REPOSITORY_ROOT, fromDir, 'package.json'));
  let dir = require.resolve.paths(name)?.find((base) => {
    try {
      readFileSync(join(base, name, 'package.json'));
      return true;
    } catch {
      return false;
    }
  });
  if (dir === undefined) throw new Error(`${name} is not installed for ${fromDir}`);
  dir = join(dir, name);
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
}
