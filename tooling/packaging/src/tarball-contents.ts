/** What a packed tarball holds: its file list and its manifest, read with the system's `tar`. */
import { runChecked } from './run-command.ts';

/** The paths in `tarball`, without the leading `package/`. */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const { stdout } = await runChecked('tar', ['-tzf', tarball], { cwd: '/', timeoutMs: 30_000 });
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ''))
    .sort();
}

/** The packed `package.json`. */
export async function tarballManifest(tarball: string): Promise<Record<string, unknown>> {
  const { stdout } = await runChecked('tar', ['-xzOf', tarball, 'package/package.json'], { cwd: '/', timeoutMs: 30_000 });
  return JSON.parse(stdout);
}
