/**
 * Relative imports that leave their package: a path up and into packages/x works inside the
 * repository and nowhere else (the importer cannot declare it, a published tarball cannot hold it).
 * A package reaches another one by its name, as a declared dependency.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { runChecked } from './run-command.ts';

/** A relative import whose target is in another package than the importing file. */
export interface CrossingImport {
  file: string;
  specifier: string;
  from: string;
  to: string;
}

const SOURCE = /\.(ts|mts|cts|tsx|js|mjs|cjs)$/;

/** The directory of the nearest package.json at or above `dir` (paths relative to `root`). */
function packageOf(root: string, dir: string): string {
  let current = dir;
  while (current !== '' && current !== '.' && !existsSync(join(root, current, 'package.json'))) current = dirname(current);
  return current === '' ? '.' : current;
}

/** Every relative import in the files git tracks under `root` that crosses into another package. */
export async function crossingImports(root: string): Promise<CrossingImport[]> {
  const { stdout } = await runChecked('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    timeoutMs: 60_000,
  });
  const crossings: CrossingImport[] = [];
  for (const file of stdout.split('\n').filter((path) => SOURCE.test(path))) {
    if (!existsSync(join(root, file))) continue;
    const from = packageOf(root, dirname(file));
    // The compiler's own scan: `import`, `export … from`, `import()` and `require()`, never text in strings or comments.
    const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (!/^\.{1,2}\//.test(specifier)) continue;
      const target = relative(root, join(root, dirname(file), specifier));
      const to = target.startsWith('..') ? '(outside the repository)' : packageOf(root, dirname(target));
      if (to !== from) crossings.push({ file, specifier, from, to });
    }
  }
  return crossings;
}
