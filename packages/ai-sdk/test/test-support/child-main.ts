/**
 * The shared ending of the fixture children: JSON lines on stdout, resuming until a killed
 * process's lease has expired, and one `result` or `error` line before exiting.
 */
import { CairnError } from '@cairn/core';

/** Print one JSON line on stdout. */
export function print(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

/** Resume until the run is no longer `running` (a dead process's lease must expire first), for at most 15 s. */
export async function resumeUntilSettled<R extends { status: string }>(resume: () => Promise<R>): Promise<R> {
  const until = Date.now() + 15_000;
  for (;;) {
    const result = await resume();
    if (result.status !== 'running' || Date.now() > until) return result;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Print `main`'s result (or its error) as one line, close, and exit once stdout is flushed. */
export async function runMain(main: () => Promise<unknown>, close: () => Promise<void>): Promise<never> {
  let code = 0;
  try {
    print({ event: 'result', result: await main() });
  } catch (error) {
    code = 1;
    print({ event: 'error', code: CairnError.is(error) ? error.code : undefined, message: (error as Error).message });
  } finally {
    await close();
  }
  // HTTP clients keep sockets alive; exit once stdout is flushed.
  return new Promise<never>(() => process.stdout.write('', () => process.exit(code)));
}
