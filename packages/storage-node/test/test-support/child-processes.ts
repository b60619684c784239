/**
 * Running fixture scripts in child processes (Node runs the .ts files directly) and collecting
 * the one JSON line each prints last. Racing children start together: each prints `ready` once
 * its store is open, and all get `go` on stdin when every one of them is ready.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Absolute path of a fixture script in `test-support/fixtures`. */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

/** What a child printed and how it ended. */
export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last stdout line, parsed. */
  // biome-ignore lint/suspicious/noExplicitAny: each fixture prints its own JSON shape
  result: any;
}

interface Running {
  child: ChildProcess;
  ready: Promise<void>;
  done: Promise<ChildResult>;
}

function start(script: string, args: readonly string[], timeoutMs: number): Running {
  const child = spawn(process.execPath, [fixturePath(script), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (/^ready$/m.test(stdout)) markReady();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<ChildResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} ${args.join(' ')} did not finish in ${timeoutMs} ms: ${stderr.slice(0, 2000)}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      // A child that died before getting ready must not hold the others back.
      markReady();
      const last = stdout.trim().split('\n').pop() ?? '';
      let result: unknown = null;
      try {
        result = JSON.parse(last);
      } catch {
        // Reported through code and stderr.
      }
      resolve({ code, stdout, stderr, result });
    });
  });
  return { child, ready, done };
}

/** Run `node <script> ...args` for each argument list; all start their race together. */
export async function runRacingChildren(
  script: string,
  argsList: readonly (readonly string[])[],
  timeoutMs = 90_000,
): Promise<ChildResult[]> {
  const running = argsList.map((args) => start(script, args, timeoutMs));
  await Promise.all(running.map((entry) => entry.ready));
  for (const entry of running) entry.child.stdin?.end('go\n');
  return Promise.all(running.map((entry) => entry.done));
}

/** Run `node <script> ...args` alone. */
export async function runChild(script: string, args: readonly string[], timeoutMs = 90_000): Promise<ChildResult> {
  const [result] = await runRacingChildren(script, [args], timeoutMs);
  return result!;
}
