import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { systemClock } from '../engine/clock.ts';
import { NonRetriableError } from '../errors.ts';
import { createScriptedModel } from '../models/scripted-model.ts';
import { createMemoryStore } from '../storage/memory-store.ts';
import { createAgent } from './agent.ts';
import { agentBed, eventLog, FAST_RETRY, waitFor } from './agent-test-kit.ts';
import { defineAgent } from './define-agent.ts';
import { type AnyTool, tool } from './tool.ts';
import { redactSecrets } from './tool-error-redaction.ts';

const SECRETS = [
  'hunter2-pw',
  'bearer-token-0123456789',
  'sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX',
  'tok_query_987654321',
  'cause-secret-555',
  'Custom-scheme-secret',
];

/** What Node's fetch and a typical HTTP client put in their messages. */
function fetchStyleError(): Error {
  return new TypeError(
    'fetch failed: Request cannot be constructed from a URL that includes credentials: ' +
      'https://alice:hunter2-pw@api.example.com/v1/report?token=tok_query_987654321 ' +
      '(headers: Authorization: Bearer bearer-token-0123456789, x-api-key: sk-proj-ABCDEFGHIJKLMNOPQRSTUVWX)',
    { cause: new Error('proxy said: Proxy-Authorization: Custom-scheme-secret; retry with password=cause-secret-555') },
  );
}

async function runWith(tools: AnyTool[], options: { redactToolError?: (error: unknown) => string } = {}) {
  const model = createScriptedModel([{ toolCalls: [{ name: tools[0]!.name, arguments: {} }] }, 'Sorry, the report failed.']);
  const store = createMemoryStore();
  const log = eventLog();
  const agent = createAgent({
    model,
    tools,
    store,
    ...options,
    runtime: { clock: systemClock, retry: FAST_RETRY, onEvent: log.onEvent },
  });
  const result = await agent.run('get the report');
  const journal = (await store.readEntries(result.runId)).map((e) => `${e.kind} ${e.key} ${e.payload}`).join('\n');
  const toolMessage = model.requests[1]?.messages.find((m) => m.role === 'tool')?.content ?? '';
  return { result, journal, toolMessage, model, events: JSON.stringify(log.events), agent };
}

describe('tool errors are redacted before the journal and the model see them', () => {
  it('strips URL credentials, bearer tokens, authorization values and key shapes by default', async () => {
    let attempts = 0;
    const report = tool({
      name: 'report',
      description: 'Fetch the report',
      input: z.object({}),
      retry: { maxAttempts: 2 },
      execute: () => {
        attempts++;
        throw fetchStyleError();
      },
    });
    const { result, journal, toolMessage, model, events } = await runWith([report]);
    expect(result.status).toBe('completed');
    expect(attempts).toBe(2);
    for (const secret of SECRETS) {
      expect(journal).not.toContain(secret);
      expect(JSON.stringify(model.requests)).not.toContain(secret);
      expect(events).not.toContain(secret);
    }
    // Still useful: the error's kind, host, path and header names survive.
    expect(toolMessage).toBe(
      'Error: tool "report" failed: fetch failed: Request cannot be constructed from a URL that includes credentials: ' +
        'https://[redacted]@api.example.com/v1/report?token=[redacted] ' +
        '(headers: Authorization: [redacted], x-api-key: [redacted])',
    );
    expect(journal).toContain('"name":"TypeError"');
  });

  it('bounds a long message, and keeps what retries depend on', async () => {
    let attempts = 0;
    const noisy = tool({
      name: 'noisy',
      description: '',
      input: z.object({}),
      execute: () => {
        attempts++;
        throw new NonRetriableError(`upstream said: ${'blah '.repeat(2000)}sk-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345`);
      },
    });
    const { toolMessage, journal } = await runWith([noisy]);
    expect(attempts).toBe(1);
    expect(journal).toContain('"code":"non-retriable"');
    expect(journal).not.toContain('sk-ABCDEFGHIJKLMNOPQRSTUVWXYZ012345');
    const message = toolMessage.slice('Error: tool "noisy" failed: '.length);
    expect(message.length).toBeLessThanOrEqual(1000 + ' … (truncated)'.length);
    expect(message.endsWith('… (truncated)')).toBe(true);
  });

  it("uses the tool's redactError over the agent's redactToolError, and never leaks when a hook throws", async () => {
    const own = tool({
      name: 'own',
      description: '',
      input: z.object({}),
      retry: false,
      redactError: (error) => `own hook: ${(error as Error).name}`,
      execute: () => {
        throw fetchStyleError();
      },
    });
    const plain = tool({
      name: 'plain',
      description: '',
      input: z.object({}),
      retry: false,
      execute: () => {
        throw fetchStyleError();
      },
    });
    const agentHook = () => 'agent hook';
    expect((await runWith([own, plain], { redactToolError: agentHook })).toolMessage).toBe(
      'Error: tool "own" failed: own hook: TypeError',
    );
    expect((await runWith([plain, own], { redactToolError: agentHook })).toolMessage).toBe(
      'Error: tool "plain" failed: agent hook',
    );
    const broken = await runWith([plain], {
      redactToolError: () => {
        throw new Error('hook bug https://alice:hunter2-pw@x');
      },
    });
    expect(broken.toolMessage).toBe('Error: tool "plain" failed: TypeError (the error could not be redacted)');
    for (const secret of SECRETS) expect(broken.journal).not.toContain(secret);
  });
});

describe('redactSecrets', () => {
  it.each([
    ['https://u:p@ss:w0rd@host.example/x', 'https://[redacted]@host.example/x'],
    ['postgres://app:pg-secret-1@db:5432/main', 'postgres://[redacted]@db:5432/main'],
    ['key AKIAIOSFODNN7EXAMPLE denied', 'key [redacted] denied'],
    ['token ghp_abcdefghijklmnopqrstuvwxyz0123456789 revoked', 'token [redacted] revoked'],
    ['jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'jwt [redacted]'],
    ['{"password":"pw-9876","user":"ada"}', '{"password":"[redacted]","user":"ada"}'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY----- done', '[redacted] done'],
    ['ECONNREFUSED 127.0.0.1:443 (order 42 not found)', 'ECONNREFUSED 127.0.0.1:443 (order 42 not found)'],
  ])('%s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('never keeps half a secret cut by its window', () => {
    // The window is 4 000 characters: the long key shrinks to "[redacted]", which pulls the key the
    // window cut (only 11 of its characters inside, too few to look like a key) into the kept 1 000.
    const text = `sk-${'B'.repeat(3000)} ${'a'.repeat(981)} sk-${'A'.repeat(200)}`;
    expect(text.indexOf('sk-A')).toBe(3986);
    const out = redactSecrets(text);
    expect(out).not.toContain('sk-A');
    expect(out.endsWith('… (truncated)')).toBe(true);
  });
});

describe('errors of an onUnknown reconcile function', () => {
  it('are redacted too', async () => {
    const bed = agentBed();
    let started = 0;
    const charge = tool({
      name: 'charge',
      description: '',
      input: z.object({}),
      onUnknown: async () => {
        throw fetchStyleError();
      },
      execute: async () => {
        started++;
        await new Promise(() => {});
      },
    });
    const model = createScriptedModel([{ toolCalls: [{ name: 'charge', arguments: {} }] }, 'I will check.']);
    const agent = defineAgent({ name: 'shop', model, tools: [charge] });
    const first = bed.runtime({ workflows: [agent], owner: 'worker' });
    const run = await first.start(agent, 'buy');
    await waitFor(() => started === 1);
    await first.close();
    const second = bed.runtime({ store: bed.peerStore(), workflows: [agent], owner: 'worker' });
    await second.resume(run.runId);
    const info = await second.handle(run.runId).settled();
    const journal = (await bed.store.readEntries(run.runId)).map((e) => e.payload).join('\n');
    const seen = `${JSON.stringify(model.requests)}\n${journal}\n${JSON.stringify(info)}`;
    for (const secret of SECRETS) expect(seen).not.toContain(secret);
    expect(seen).toContain('https://[redacted]@api.example.com');
  });
});
