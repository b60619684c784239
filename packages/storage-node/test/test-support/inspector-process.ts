/**
 * `cairn ui` as a child process, the way a user starts it: waits for its JSON line with the URL,
 * and stops it with SIGTERM (SIGKILL if it does not exit in time).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { CAIRN_BIN } from './run-cli.ts';

/** A running `cairn ui`. */
export interface InspectorProcess {
  /** `http://127.0.0.1:<port>/#token=…` */
  url: string;
  origin: string;
  token: string;
  stop(): Promise<void>;
}

/** Start `cairn ui ...args --json` and wait until it listens. */
export function startInspectorProcess(
  args: readonly string[],
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<InspectorProcess> {
  const child: ChildProcess = spawn(process.execPath, [CAIRN_BIN, 'ui', ...args, '--json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`cairn ui did not start within ${timeoutMs} ms: ${stderr.slice(0, 2000)}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cairn ui exited with code ${code}: ${stderr.slice(0, 2000)}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (!line) return;
      clearTimeout(timer);
      const { url } = JSON.parse(line) as { url: string };
      const parsed = new URL(url);
      resolve({ url, origin: parsed.origin, token: parsed.hash.replace('#token=', ''), stop });
    });
  });
}
