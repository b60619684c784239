/**
 * Packs every published package once per test run (each `pnpm pack` builds its package), into a
 * temporary folder outside the repository that every packaging test installs from.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { type PackedPackage, packAll } from '../src/packages.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    packedPackages: PackedPackage[];
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const destination = mkdtempSync(join(tmpdir(), 'cairn-tarballs-'));
  project.provide('packedPackages', await packAll(destination));
  return () => rmSync(destination, { recursive: true, force: true });
}
