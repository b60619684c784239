/**
 * Run a scenario script in a fresh `node` process and read the one JSON line it prints: for figures
 * that must not include the bench process's own history (module cache, heap, other scenarios' RSS).
 */
import { spawn } from 'node:child_process';

/** What a child run returned: its JSON line and spawn → exit time measured here. */
export interface ChildResult<T> {
  processMs: number;
  value: T;
}

/** Spawn `node script JSON.stringify(args)`, SIGKILLed after `timeoutMs`; rejects on a non-zero exit. */
export function runJsonChild<T>(script: string, args: unknown, timeoutMs = 120_000): Promise<ChildResult<T>> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [script, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
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
