// Every TypeScript snippet of the guide and of the READMEs compiles against the real packages, so
// the docs cannot drift from the API. Snippets are type-checked, not run: they talk to payment APIs,
// OpenAI and Durable Objects that a test does not have.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { extractSnippets, type Snippet } from './snippets.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const OUT = fileURLToPath(new URL('../../.tmp/snippets/', import.meta.url));

const DOCS = [
  'README.md',
  'demo/README.md',
  ...readdirSync(join(ROOT, 'docs/guide'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/guide/${name}`),
  ...readdirSync(join(ROOT, 'packages')).map((name) => `packages/${name}/README.md`),
];

// Names the snippets use as "your code" or as context from the text around them: declared, never defined.
const PRELUDE = `
declare const fraudApi: { check(order: unknown): Promise<{ ok: boolean }> };
declare const payments: { refund(order: unknown, options: { idempotencyKey: string | undefined }): Promise<unknown> };
declare const mailer: { send(text: string): Promise<void> };
declare const agent: import('@cairn/core').Agent<string>;
`;
// What \`wrangler types\` would generate for the README's example: the bindings, typed by its classes.
const WORKERS_PRELUDE = `
interface Env {
  AGENTS: DurableObjectNamespace<import('./packages_storage-durable-objects_README_md/index.ts').Agents>;
  RUNS: DurableObjectNamespace<import('./packages_storage-durable-objects_README_md/runs-object.ts').Runs>;
  CAIRN_TOKEN?: string;
}
declare const env: Env;
declare const accountId: string;
declare const support: import('@cairn/core').Workflow<any, any>;
declare const followUp: import('@cairn/core').Workflow<any, any>;
`;
const WORKERS_TYPES = createRequire(import.meta.url).resolve('@cloudflare/workers-types/index.d.ts');

// Modules a page imports but does not show (the reader's own code).
const STUBS: Record<string, string> = {
  'acme-store.ts':
    "import type { DurableStore } from '@cairn/core';\nexport declare function createStore(options: { database: string; maxPayloadBytes?: number }): DurableStore;\n",
};

/** Workers snippets need workers-types, which cannot share a program with the DOM lib. */
function isWorkers(snippet: Snippet): boolean {
  return (
    snippet.doc === 'packages/storage-durable-objects/README.md' ||
    snippet.doc === 'docs/guide/getting-started-workers.md' ||
    /cloudflare:workers|DurableObjectNamespace|ExportedHandler/.test(snippet.code)
  );
}

/** `./src/x.ts` in demo/README.md means demo/src/x.ts: point imports of repository files at them. */
function resolveRepoImports(snippet: Snippet): string {
  return snippet.code.replace(/from '(\.\.?\/[^']+)'/g, (whole, path: string) => {
    const target = join(ROOT, dirname(snippet.doc), path);
    return existsSync(target) ? `from '${target}'` : whole;
  });
}

interface Environment {
  prelude: string;
  /** Type packages by name (resolved from the snippet folders) and declaration files by path. */
  types: string[];
  roots: string[];
  lib: string[];
}

function check(snippets: Snippet[], dir: string, environment: Environment): string[] {
  rmSync(dir, { recursive: true, force: true });
  const files: string[] = [];
  for (const snippet of snippets) {
    const folder = join(dir, snippet.doc.replace(/[/.]/g, '_'));
    mkdirSync(folder, { recursive: true });
    const file = join(folder, snippet.file);
    writeFileSync(file, resolveRepoImports(snippet));
    files.push(file);
    for (const [name, code] of Object.entries(STUBS))
      if (snippet.code.includes(`./${name}`)) writeFileSync(join(folder, name), code);
  }
  const prelude = join(dir, 'prelude.d.ts');
  writeFileSync(prelude, environment.prelude);
  const program = ts.createProgram([...files, prelude, ...environment.roots], {
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    allowImportingTsExtensions: true,
    noEmit: true,
    skipLibCheck: true,
    types: environment.types,
    lib: environment.lib.map((name) => `lib.${name}.d.ts`),
  });
  const where = new Map(files.map((file, i) => [file, snippets[i]!]));
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const source = diagnostic.file && where.get(diagnostic.file.fileName);
    if (!diagnostic.file || !source) return text;
    const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    return `${source.doc}:${source.line + 1 + line} ${text}`;
  });
}

// Type-checking ~50 snippets against the packages takes 20–40 s, more on a loaded machine.
const CHECK_TIMEOUT_MS = 180_000;

describe('doc snippets', () => {
  const snippets = DOCS.flatMap((doc) => {
    try {
      return extractSnippets(join(ROOT, doc)).map((snippet) => ({ ...snippet, doc }));
    } catch {
      return []; // a package without a README yet
    }
  });

  it('finds the snippets of the guide', () => {
    expect(snippets.filter((snippet) => snippet.doc.startsWith('docs/guide/')).length).toBeGreaterThan(15);
  });

  it(
    'compiles every browser and Node snippet',
    () => {
      const errors = check(
        snippets.filter((snippet) => !isWorkers(snippet)),
        join(OUT, 'default'),
        { prelude: PRELUDE, types: ['node'], roots: [], lib: ['es2024', 'dom', 'dom.iterable'] },
      );
      expect(errors).toEqual([]);
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    'compiles every Workers snippet',
    () => {
      const errors = check(snippets.filter(isWorkers), join(OUT, 'workers'), {
        prelude: WORKERS_PRELUDE,
        types: [],
        roots: [WORKERS_TYPES],
        lib: ['es2024'],
      });
      expect(errors).toEqual([]);
    },
    CHECK_TIMEOUT_MS,
  );
});
