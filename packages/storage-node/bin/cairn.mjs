#!/usr/bin/env node
// The `cairn` command. Inside the repository Node runs the TypeScript sources directly (Node 24);
// an installed package (under node_modules, where Node does not strip types) runs the build.
import { enableCompileCache } from 'node:module';

// Reuse compiled code between invocations: a CLI is started often and lives briefly.
enableCompileCache?.();
// `cairn list | head -1` closes the pipe early: that is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => process.exit(error.code === 'EPIPE' ? 0 : 1));
}
const installed = import.meta.url.includes('/node_modules/');
const entry = new URL(installed ? '../dist/cli/main.js' : '../src/cli/main.ts', import.meta.url);
const { runCli } = await import(entry.href);
const code = await runCli(process.argv.slice(2));
// A resumed agent's HTTP client may keep sockets open: leave as soon as the output is flushed.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
