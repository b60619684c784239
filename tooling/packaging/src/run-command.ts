/**
 * Child processes for the packaging tests: every command has a deadline, and a failure names the
 * command, its directory and the tail of what it printed.
 */
import { spawn } from 'node:child_process';

/** How a command ended. */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Options of `runCommand`. */
export interface RunCommandOptions {
  cwd: string;
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed. */
  input?: string;
}

/** Run `command args…`; resolves with its output, or rejects when it outlives `timeoutMs` (it is killed). */
export function runCommand(command: string, args: readonly string[], options: RunCommandOptions): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${describe(command, args, options.cwd)} did not finish in ${options.timeoutMs} ms\n${tail(stdout, stderr)}`),
      );
    }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    if (options.input !== undefined) {
      // A command may exit before reading its input: that is its answer, not an error of ours.
      child.stdin?.on('error', () => {});
      child.stdin?.end(options.input);
    }
  });
}

/** `runCommand`, rejecting unless the command exits with 0. */
export async function runChecked(command: string, args: readonly string[], options: RunCommandOptions): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${describe(command, args, options.cwd)} exited with ${result.code}\n${tail(result.stdout, result.stderr)}`);
  }
  return result;
}

function describe(command: string, args: readonly string[], cwd: string): string {
  return `\`${[command, ...args].join(' ')}\` in ${cwd}`;
}

function tail(stdout: string, stderr: string): string {
  return `stdout: ${stdout.slice(-3000)}\nstderr: ${stderr.slice(-3000)}`;
}
