/**
 * Diagnostic, not part of `pnpm bench`: what the shape of a journal costs in raw `node:sqlite`,
 * before any of Cairn's code — the floors under the SQLite rows of scenario 1. Per commit, µs,
 * medians of 7 rounds, all shapes interleaved:
 *
 * - `insert`: one autocommitted INSERT into a rowid table with no other index (the bench's raw row);
 * - `+ (run, seq) index`: the same table with a unique index on (run_id, seq) — what reading one
 *   run's journal in order and refusing a duplicate seq need — in `BEGIN IMMEDIATE … COMMIT`;
 * - `+ header UPDATE`: that, plus an UPDATE of the run's header row (last_seq, step, usage,
 *   updated_at) in the same transaction: Cairn's append today.
 *
 *   node bench/src/diagnostics/sqlite-floors.ts            # synchronous=FULL and NORMAL
 */
import { DatabaseSync } from 'node:sqlite';
import { median } from '../lib/stats.ts';
import { removeTempDirs, tempDir } from '../lib/temp-dir.ts';

const COMMITS_PER_ROUND = 400;
const ROUNDS = 7;
const PAYLOAD = '{"i":12,"v":12,"a":1,"t":1764740000000,"d":0}';

type Shape = (db: DatabaseSync) => () => void;

const ENTRIES =
  'CREATE TABLE e (id INTEGER PRIMARY KEY, run_id TEXT, seq INTEGER, kind TEXT, key TEXT, payload TEXT, created_at INTEGER)';

const shapes: Record<string, Shape> = {
  insert(db) {
    db.exec(ENTRIES);
    const insert = db.prepare('INSERT INTO e (run_id, seq, kind, key, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    let seq = 0;
    return () => void insert.run('r', ++seq, 'step-end', 's#1', PAYLOAD, Date.now());
  },
  '+ (run, seq) index'(db) {
    db.exec(`${ENTRIES}; CREATE UNIQUE INDEX e_by_run ON e (run_id, seq)`);
    const insert = db.prepare('INSERT INTO e (run_id, seq, kind, key, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    let seq = 0;
    return () => {
      db.exec('BEGIN IMMEDIATE');
      insert.run('r', ++seq, 'step-end', 's#1', PAYLOAD, Date.now());
      db.exec('COMMIT');
    };
  },
  '+ header UPDATE'(db) {
    db.exec(`${ENTRIES}; CREATE UNIQUE INDEX e_by_run ON e (run_id, seq);
      CREATE TABLE h (run_id TEXT PRIMARY KEY, last_seq INTEGER, step TEXT, usage TEXT, updated_at INTEGER) WITHOUT ROWID;
      INSERT INTO h VALUES ('r', 0, NULL, NULL, 0)`);
    const insert = db.prepare('INSERT INTO e (run_id, seq, kind, key, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    const header = db.prepare('UPDATE h SET last_seq = ?, step = ?, usage = ?, updated_at = ? WHERE run_id = ? AND last_seq = ?');
    let seq = 0;
    return () => {
      db.exec('BEGIN IMMEDIATE');
      insert.run('r', seq + 1, 'step-end', 's#1', PAYLOAD, Date.now());
      header.run(seq + 1, `{"index":${seq},"name":"s"}`, '{"inputTokens":0,"outputTokens":0}', Date.now(), 'r', seq);
      db.exec('COMMIT');
      seq++;
    };
  },
};

try {
  for (const synchronous of ['FULL', 'NORMAL'] as const) {
    const writers = Object.entries(shapes).map(([name, shape]) => {
      const db = new DatabaseSync(`${tempDir(`floors-${synchronous.toLowerCase()}`)}/floors.db`);
      db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous}`);
      return { name, db, write: shape(db), samples: [] as number[] };
    });
    for (let round = 0; round < ROUNDS; round++) {
      for (const writer of round % 2 ? [...writers].reverse() : writers) {
        const started = performance.now();
        for (let commit = 0; commit < COMMITS_PER_ROUND; commit++) writer.write();
        writer.samples.push(((performance.now() - started) * 1000) / COMMITS_PER_ROUND);
      }
    }
    const base = median(writers[0]!.samples);
    console.log(`\nsynchronous=${synchronous}, ${COMMITS_PER_ROUND} commits × ${ROUNDS} rounds`);
    console.log('| shape | µs/commit | − insert | / insert |\n|---|---:|---:|---:|');
    for (const writer of writers) {
      const value = median(writer.samples);
      console.log(`| ${writer.name} | ${value.toFixed(1)} | ${(value - base).toFixed(1)} | ${(value / base).toFixed(2)}× |`);
      writer.db.close();
    }
  }
} finally {
  removeTempDirs();
}
