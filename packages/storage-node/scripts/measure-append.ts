/**
 * Quick per-append cost of both stores against a raw durable write of the same bytes (the real
 * benchmarks live in bench/). Run: node packages/storage-node/scripts/measure-append.ts [payloadBytes]
 *
 * Baselines, each with the same durability as the store it is compared with:
 * - sqlite: one single-row INSERT commit into a plain table, same pragmas (WAL, synchronous=FULL),
 *   and one transaction inserting the entry and updating a run row (what an append must write);
 * - file: one write of the store's record bytes at the end of a file, then fdatasync.
 * Rounds alternate between variants; the median and the best round are reported, to damp disk noise.
 */
import { fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { DurableStore, NewEntry, RunPatch } from '@cairn/core';
import { newRunFixture } from '@cairn/core/testing';
import { createFileStore } from '../src/file/file-store.ts';
import { encodeAppend } from '../src/file/journal-records.ts';
import { createSqliteStore } from '../src/sqlite/sqlite-store.ts';

const payloadBytes = Number(process.argv[2] ?? 300);
const perRound = Number(process.argv[4] ?? 200);
const rounds = Number(process.argv[3] ?? 15);
const payload = `{"v":"${'x'.repeat(Math.max(0, payloadBytes - 8))}"}`;
const dir = mkdtempSync(join(tmpdir(), 'cairn-measure-'));

function entry(index: number): NewEntry {
  return { kind: 'step-end', key: `step#${index}`, payload, createdAt: 1_767_225_600_000 + index };
}
function patch(index: number): RunPatch {
  return { step: { index: index + 1, name: `step#${index}` }, updatedAt: 1_767_225_600_000 + index };
}

type Variant = { name: string; step(index: number): Promise<void> | void };

async function storeVariant(name: string, store: DurableStore): Promise<Variant> {
  await store.createRun(newRunFixture('run-1'));
  let lastSeq = 0;
  return {
    name,
    async step(index) {
      lastSeq = (await store.append('run-1', lastSeq, [entry(index)], patch(index))).lastSeq;
    },
  };
}

function rawSqlite(synchronous: 'FULL' | 'NORMAL'): Variant {
  const db = new DatabaseSync(join(dir, `raw-${synchronous}.db`));
  db.exec(
    `PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous}; CREATE TABLE t (id INTEGER PRIMARY KEY, run_id TEXT, seq INTEGER, kind TEXT, key TEXT, payload TEXT, created_at INTEGER)`,
  );
  const insert = db.prepare('INSERT INTO t (run_id, seq, kind, key, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  return {
    name: `raw sqlite INSERT (${synchronous})`,
    step: (index) => void insert.run('run-1', index, 'step-end', `step#${index}`, payload, index),
  };
}

// The least an append can do on SQLite: one transaction inserting the entry and updating the run row.
function rawSqliteTransaction(): Variant {
  const db = new DatabaseSync(join(dir, 'raw-txn.db'));
  db.exec(
    `PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
     CREATE TABLE t (id INTEGER PRIMARY KEY, run_id TEXT, seq INTEGER, kind TEXT, key TEXT, payload TEXT, created_at INTEGER);
     CREATE TABLE r (run_id TEXT PRIMARY KEY, last_seq INTEGER, step_index INTEGER, step_name TEXT, updated_at INTEGER) WITHOUT ROWID;
     INSERT INTO r VALUES ('run-1', 0, 0, NULL, 0)`,
  );
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const insert = db.prepare('INSERT INTO t (run_id, seq, kind, key, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  const update = db.prepare('UPDATE r SET last_seq = ?, step_index = ?, step_name = ?, updated_at = ? WHERE run_id = ?');
  return {
    name: 'raw sqlite txn 2 rows (FULL)',
    step(index) {
      begin.run();
      insert.run('run-1', index, 'step-end', `step#${index}`, payload, index);
      update.run(index, index, `step#${index}`, index, 'run-1');
      commit.run();
    },
  };
}

function rawFile(): Variant {
  const fd = openSync(join(dir, 'raw-journal'), 'w');
  let position = 0;
  return {
    name: 'raw write+fdatasync',
    step(index) {
      const bytes = encodeAppend('run-1', index + 1, [entry(index)], patch(index));
      position += writeSync(fd, bytes, 0, bytes.length, position);
      fdatasyncSync(fd);
    },
  };
}

const variants: Variant[] = [
  rawSqlite('FULL'),
  rawSqliteTransaction(),
  await storeVariant('sqlite store (FULL)', createSqliteStore({ path: join(dir, 'store-full.db') })),
  rawSqlite('NORMAL'),
  await storeVariant('sqlite store (NORMAL)', createSqliteStore({ path: join(dir, 'store-normal.db'), synchronous: 'normal' })),
  rawFile(),
  await storeVariant('file store', createFileStore({ dir: join(dir, 'files') })),
];
const samples = new Map<string, number[]>(variants.map((variant) => [variant.name, []]));
const counters = new Map<string, number>();
for (let round = 0; round < rounds; round++) {
  for (const variant of variants) {
    let index = counters.get(variant.name) ?? 0;
    const started = performance.now();
    for (let i = 0; i < perRound; i++) await variant.step(index++);
    samples.get(variant.name)!.push(((performance.now() - started) / perRound) * 1000);
    counters.set(variant.name, index);
  }
}
const sorted = new Map([...samples].map(([name, values]) => [name, [...values].sort((a, b) => a - b)]));
const median = (name: string) => sorted.get(name)![Math.floor(rounds / 2)]!;
const best = (name: string) => sorted.get(name)![0]!;
console.log(`payload ${payloadBytes} B, ${rounds} rounds x ${perRound} appends, µs per append (median round / best round):`);
for (const name of sorted.keys())
  console.log(`  ${name.padEnd(28)} ${median(name).toFixed(1).padStart(7)} / ${best(name).toFixed(1)}`);
const ratio = (store: string, raw: string) =>
  `${(median(store) / median(raw)).toFixed(2)}x median, ${(best(store) / best(raw)).toFixed(2)}x best`;
console.log(`  sqlite FULL   ${ratio('sqlite store (FULL)', 'raw sqlite INSERT (FULL)')}`);
console.log(`  sqlite FULL vs 2-row txn ${ratio('sqlite store (FULL)', 'raw sqlite txn 2 rows (FULL)')}`);
console.log(`  sqlite NORMAL ${ratio('sqlite store (NORMAL)', 'raw sqlite INSERT (NORMAL)')}`);
console.log(`  file          ${ratio('file store', 'raw write+fdatasync')}`);
rmSync(dir, { recursive: true, force: true });
