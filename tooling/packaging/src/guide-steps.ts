/**
 * The steps of a getting-started guide, read from its Markdown by construction: a fenced block
 * right under an HTML comment `<!-- test: file -->`, `<!-- test: run -->` or `<!-- test: output -->`
 * (invisible on the rendered page) is a step. Editing the block in the guide edits the test.
 *
 * - file: the block is a file, named by its first line (`// support.ts`, `# .dev.vars`); written
 *   as printed into the current directory.
 * - run: the block is typed into a terminal (bash), in the directory the previous block left.
 * - output: the block is what the previous `run` block prints (stdout, trailing space trimmed).
 * - background: like run, for a command that keeps running (a dev server); the test waits
 *   for the text after `ready:` in its output, e.g. `<!-- test: background, ready: Ready on -->`.
 * - page: the block is the text of the page at `url` once it settled, as a browser shows it
 *   (its non-empty lines),
 *   e.g. `<!-- test: page, url: http://127.0.0.1:5173/ -->`.
 */
import { readFileSync } from 'node:fs';

/** One marked block of a guide. */
export type GuideStep =
  | { kind: 'file'; line: number; name: string; text: string }
  | { kind: 'run'; line: number; text: string }
  | { kind: 'output'; line: number; text: string }
  | { kind: 'background'; line: number; text: string; ready: string }
  | { kind: 'page'; line: number; text: string; url: string };

const MARKER = /^<!-- test: (file|run|output|background|page)(?:, (?:ready|url): (.+?))? -->$/;
const FILE_NAME = /^(?:\/\/|#|<!--) ((?:[\w.-]+\/)*[\w.-]+)(?::|\s|$)/;

/** The marked blocks of the guide at `path`, in order. */
export function guideSteps(path: string): GuideStep[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const steps: GuideStep[] = [];
  for (let i = 0; i < lines.length; i++) {
    const marker = MARKER.exec(lines[i]!);
    if (!marker) continue;
    const fence = lines[i + 1] ?? '';
    if (!fence.startsWith('```')) throw new Error(`${path}:${i + 1}: a test marker must sit right above a fenced block`);
    const body: string[] = [];
    let end = i + 2;
    for (; end < lines.length && lines[end] !== '```'; end++) body.push(lines[end]!);
    if (end === lines.length) throw new Error(`${path}:${i + 2}: unclosed block`);
    const line = i + 2;
    const text = `${body.join('\n')}\n`;
    const kind = marker[1] as GuideStep['kind'];
    if (kind === 'file') {
      const name = FILE_NAME.exec(body[0] ?? '')?.[1];
      if (name === undefined) throw new Error(`${path}:${line}: a file block starts with a comment naming the file`);
      steps.push({ kind, line, name, text });
    } else if (kind === 'background') {
      if (marker[2] === undefined) throw new Error(`${path}:${i + 1}: a background step says what it prints when ready`);
      steps.push({ kind, line, text, ready: marker[2] });
    } else if (kind === 'page') {
      if (marker[2] === undefined) throw new Error(`${path}:${i + 1}: a page step names its url`);
      steps.push({ kind, line, text, url: marker[2] });
    } else {
      steps.push({ kind, line, text });
    }
    i = end;
  }
  return steps;
}
