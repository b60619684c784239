/**
 * The TypeScript snippets of the docs, as files a compiler can check. A snippet that starts with a
 * file-name comment (`// support.ts`) is written under that name, so later snippets of the same
 * page can import it, as a reader would.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

/** One ```ts block of a Markdown file. */
export interface Snippet {
  /** Markdown file it comes from. */
  doc: string;
  /** 1-based line of the opening fence, for error messages. */
  line: number;
  /** File name the snippet is written as. */
  file: string;
  code: string;
}

const FENCE = /^```(ts|typescript)\s*$/;
const NAMED = /^\/\/ ((?:[\w.-]+\/)*[\w.-]+\.ts)\b/;

/** The ```ts blocks of `path`, in order. */
export function extractSnippets(path: string): Snippet[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const snippets: Snippet[] = [];
  const taken = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE.test(lines[i]!)) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i]!.startsWith('```'); i++) body.push(lines[i]!);
    const named = NAMED.exec(body[0] ?? '')?.[1];
    // Two snippets showing the same file (before and after) must not overwrite each other.
    const wanted = named ? basename(named) : `${basename(path, '.md')}-${start + 1}.ts`;
    const file = taken.has(wanted) ? wanted.replace(/\.ts$/, `-${start + 1}.ts`) : wanted;
    taken.add(file);
    snippets.push({
      doc: path,
      line: start + 1,
      file,
      // Every snippet is a module, so top-level await and module-scoped names work as in a file.
      code: `${body.join('\n')}\nexport {};\n`,
    });
  }
  return snippets;
}
