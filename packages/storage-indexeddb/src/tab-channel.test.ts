import { CairnError } from '@cairn/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTabChannel, type TabChannel, type TabMessage } from './tab-channel.ts';

const channels: TabChannel[] = [];
const raws: BroadcastChannel[] = [];

afterEach(() => {
  for (const channel of channels.splice(0)) channel.close();
  for (const raw of raws.splice(0)) raw.close();
});

function open(name: string): TabChannel {
  const channel = createTabChannel(name);
  channels.push(channel);
  return channel;
}

function collect(channel: TabChannel): TabMessage[] {
  const received: TabMessage[] = [];
  channel.subscribe((message) => received.push(message));
  return received;
}

// Delivery is asynchronous; wait (bounded) until `received` holds `count` messages.
async function until(received: unknown[], count: number, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (received.length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('createTabChannel', () => {
  it('delivers posts to every other channel of the name, in order, but not to itself', async () => {
    const name = `cairn-test-${crypto.randomUUID()}`;
    const [sender, first, second] = [open(name), open(name), open(name)];
    const [own, atFirst, atSecond] = [collect(sender), collect(first), collect(second)];
    const elsewhere = collect(open(`${name}-other`));
    const messages = [
      { runId: 'run-1', type: 'step-end', stepId: 'fetch#0', seq: 3 },
      { runId: 'run-1', type: 'run-end', status: 'completed', usage: { totalTokens: 7 } },
    ];
    for (const message of messages) sender.post(message);
    await until(atFirst, 2);
    await until(atSecond, 2);
    expect(atFirst).toEqual(messages);
    expect(atSecond).toEqual(messages);
    expect(own).toEqual([]);
    expect(elsewhere).toEqual([]);
  });

  it('stops delivering after unsubscribe and after close', async () => {
    const name = `cairn-test-${crypto.randomUUID()}`;
    const [sender, receiver, witness] = [open(name), open(name), open(name)];
    const kept: TabMessage[] = [];
    const dropped: TabMessage[] = [];
    const stop = receiver.subscribe((message) => dropped.push(message));
    receiver.subscribe((message) => kept.push(message));
    const seen = collect(witness);
    stop();
    sender.post({ runId: 'run-1', type: 'progress' });
    await until(seen, 1);
    await until(kept, 1);
    expect(kept).toHaveLength(1);
    expect(dropped).toEqual([]);
    receiver.close();
    receiver.close();
    sender.post({ runId: 'run-1', type: 'progress' });
    await until(seen, 2);
    expect(kept).toHaveLength(1);
  });

  it('ignores foreign messages on the same name and keeps delivering after a listener throws', async () => {
    const name = `cairn-test-${crypto.randomUUID()}`;
    const raw = new BroadcastChannel(name);
    raws.push(raw);
    const receiver = open(name);
    const received = collect(receiver);
    raw.postMessage('hello');
    raw.postMessage({ runId: 7, type: 'x' });
    raw.postMessage({ runId: 'run-2', type: 'progress', done: 0.5 });
    await until(received, 1);
    expect(received).toEqual([{ runId: 'run-2', type: 'progress', done: 0.5 }]);
  });

  it('refuses bad posts with Cairn errors that never echo the message content', async () => {
    const channel = open(`cairn-test-${crypto.randomUUID()}`);
    const secret = () => 'SECRET';
    const failures = [
      () => channel.post({ runId: 'run-1', type: 'step-end', result: secret }),
      () => channel.post({ type: 'step-end' } as unknown as TabMessage),
    ].map((post) => {
      try {
        post();
        return null;
      } catch (error) {
        return error;
      }
    });
    expect(CairnError.is(failures[0], 'not-serializable')).toBe(true);
    expect((failures[0] as Error).message).toMatch(
      /^\[@cairn\/storage-indexeddb\] tab channel ".*": message "step-end" of run "run-1"/,
    );
    expect((failures[0] as Error).message).not.toContain('SECRET');
    expect(CairnError.is(failures[1], 'invalid-argument')).toBe(true);
    channel.close();
    expect(() => channel.post({ runId: 'run-1', type: 'progress' })).toThrow(/is closed/);
    expect(() => channel.subscribe(() => {})).toThrow(/is closed/);
  });
});
