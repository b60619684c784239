/**
 * The published packages, found by construction: every `packages/<name>/package.json` that is not
 * private. A new package gets packed, installed and checked by following the same pattern.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChecked } from './run-command.ts';

/** The repository root. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A published package of this repository. */
export interface PublishedPackage {
  name: string;
  /** Its directory in the repository. */
  dir: string;
}

/** A package packed by `pnpm pack`. */
export interface PackedPackage extends PublishedPackage {
  tarball: string;
}

/** Every non-private package under `packages/`, sorted by directory. */
export function publishedPackages(): PublishedPackage[] {
  const root = join(REPOSITORY_ROOT, 'packages');
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(root, entry.name))
    .sort()
    .flatMap((dir) => {
      let manifest: { name: string; private?: boolean };
      try {
        manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      } catch {
        return [];
      }
      return manifest.private ? [] : [{ name: manifest.name, dir }];
    });
}

/**
 * `pnpm pack` each package into `destination`, as a release would: its prepack builds dist/, and
 * pnpm applies publishConfig and rewrites `workspace:` ranges.
 */
export async function packAll(destination: string): Promise<PackedPackage[]> {
  const packed: PackedPackage[] = [];
  for (const published of publishedPackages()) {
    const { stdout } = await runChecked('pnpm', ['pack', '--pack-destination', destination], {
      cwd: published.dir,
      timeoutMs: 300_000,
    });
    const tarball = stdout
      .trim()
      .split('\n')
      .map((line) => line.trim())
      .reverse()
      .find((line) => line.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`pnpm pack printed no tarball for ${published.name}:\n${stdout}`);
    packed.push({ ...published, tarball });
  }
  return packed;
}
