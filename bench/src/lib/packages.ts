/**
 * Versions of the packages the bench measures, read from their own package.json (found by
 * resolving the package and walking up, since `exports` maps often hide `package.json`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory of package `name` as seen from `from` (a file URL or path); `null` if not installed. */
export function packageDir(name: string, from: string = import.meta.url): string | null {
  let entry: string;
  try {
    entry = import.meta.resolve(name, from.startsWith('file:') ? from : `file://${from}`);
  } catch {
    try {
      entry = createRequire(from).resolve(name);
    } catch {
      return null;
    }
  }
  let dir = dirname(entry.startsWith('file:') ? fileURLToPath(entry) : entry);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The installed version of package `name`, or `not installed`. */
export function packageVersion(name: string, from: string = import.meta.url): string {
  const dir = packageDir(name, from);
  if (!dir) return 'not installed';
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
}

/** better-sqlite3 as LangGraph's SqliteSaver loads it: its version and the SQLite it links. */
export function betterSqliteInfo(from: string): string {
  const saverDir = packageDir('@langchain/langgraph-checkpoint-sqlite', from);
  if (!saverDir) return 'not installed';
  const require = createRequire(join(saverDir, 'package.json'));
  try {
    const Database = require('better-sqlite3') as new (
      path: string,
    ) => {
      prepare(sql: string): { get(): { v: string } };
      close(): void;
    };
    const db = new Database(':memory:');
    const sqlite = db.prepare('select sqlite_version() as v').get().v;
    db.close();
    return `${packageVersion('better-sqlite3', join(saverDir, 'package.json'))} (SQLite ${sqlite})`;
  } catch (error) {
    return `cannot load: ${(error as Error).message.split('\n')[0]}`;
  }
}
