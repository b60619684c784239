/**
 * Run a scenario script in a fresh `node` process and read the one JSON line it prints: for figures
 * that must not include the bench process's own history (module cache, heap, other scenarios' RSS).
 *
 * The child runs as plain JavaScript, the way a user's process loads the published packages: the
 * TypeScript script and the workspace sources it imports are compiled once per bench process by
 * esbuild into one ES module (`node_modules/.cache/cairn-bench/`), so no figure includes Node's
 * TypeScript type stripping (about 50 MB of RSS and 300 ms of boot in a fresh process).
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { bundleForNode } from '@cairn/test-rigs/node-bundle';

const CACHE = join(import.meta.dirname, '..', '..', 'node_modules', '.cache', 'cairn-bench');
const compiled = new Map<string, Promise<string>>();

/**
 * `script` compiled to one plain-JavaScript ES module (cached for this process). The optional store
 * packages and model clients stay external: they are loaded from `node_modules` if a child uses them.
 */
export function compileChild(script: string): Promise<string> {
  let output = compiled.get(script);
  if (!output) {
    const outfile = join(CACHE, `${basename(script).replace(/\.ts$/, '')}.mjs`);
    mkdirSync(CACHE, { recursive: true });
    output = bundleForNode({
      entry: script,
      outfile,
      external: ['pg', 'ioredis', '@cairn/storage-postgres', '@cairn/storage-redis', 'openai', 'zod', '@opentelemetry/*'],
    });
    compiled.set(script, output);
  }
  return output;
}

/** What a child run returned: its JSON line and spawn → exit time measured here. */
export interface ChildResult<T> {
  processMs: number;
  value: T;
}

/**
 * Spawn `node <script compiled> JSON.stringify(args)`, SIGKILLed after `timeoutMs`; rejects on a
 * non-zero exit. The compile happens before the clock starts.
 */
export async function runJsonChild<T>(script: string, args: unknown, timeoutMs = 120_000): Promise<ChildResult<T>> {
  const program = await compileChild(script);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [program, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      const processMs = performance.now() - started;
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${script} exited with ${code ?? signal}: ${stderr.slice(0, 2000)}`));
      resolve({ processMs, value: JSON.parse(stdout.trim()) as T });
    });
  });
}
