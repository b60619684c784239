/**
 * Diagnostic, not part of `pnpm bench`: what a journal's append statement costs on Postgres,
 * whatever its shape, against a raw single-row INSERT commit, and what Cairn's client adds on top.
 * It tests the hypothesis that a journal without a per-step run-header write (lastSeq from the
 * entries' key, progress carried in the entry: ADR 0198) would bring the store near the raw INSERT.
 *
 * One private server, one connection per SQL variant, every variant run in rotated order for ROUNDS
 * rounds of STEPS sequential appends to a fresh run; medians of wall and client CPU (user + system)
 * µs per append. The SQL variants, each one autocommitted statement per step, real step-end bytes:
 * - raw INSERT: the bench's baseline (6 columns, primary key (run_id, seq));
 * - entry only, PK as CAS: the entry plus 4 progress columns, nothing else. The floor of any
 *   header-free design; not safe alone (no check that the run exists, nor that `expectedLastSeq`
 *   is not past the end);
 * - header-free: the redesign's statement. The header row locked `FOR SHARE` (so an append
 *   serializes with header writes and deletes), a gap check on the entries' key, the entry with its
 *   progress inserted; the primary key arbitrates two appends at one seq;
 * - header CAS: today's shape, an `UPDATE … WHERE last_seq = $n` of an 11-column header (with two
 *   listing indexes) and the entry's INSERT in one statement;
 * - header CAS in plpgsql: the same two statements inside a server function.
 * Then Cairn itself on the same server: its store's `append` called directly (the "store alone" of
 * `pnpm bench`), and the engine running a workflow of trivial `retry` steps.
 *
 *   node bench/src/diagnostics/postgres-statement-shapes.ts             # fsync on (the default)
 *   node bench/src/diagnostics/postgres-statement-shapes.ts --no-sync   # synchronous_commit=off
 */
import { createRuntime } from '@cairn/core';
import { createPostgresStore } from '@cairn/storage-postgres';
import { startPostgresServer } from '@cairn/test-rigs/postgres-server';
import pg from 'pg';
import { directRun } from '../lib/direct-run.ts';
import { median } from '../lib/stats.ts';
import { stepsWorkflow } from '../lib/workflows.ts';
import { captureStepBytes } from '../scenarios/step-overhead.ts';

const STEPS = 1000;
const ROUNDS = 9;
const noSync = process.argv.includes('--no-sync');

const HEADER = `CREATE TABLE h (run_id text COLLATE "C" PRIMARY KEY, workflow text NOT NULL, status text NOT NULL,
  version int8 NOT NULL, last_seq int8 NOT NULL, step_index float8 NOT NULL, step_name text, usage text NOT NULL,
  updated_at float8 NOT NULL, payload_version int8 NOT NULL, created_at float8 NOT NULL)`;
const ENTRIES = `CREATE TABLE e (run_id text COLLATE "C" NOT NULL, seq int8 NOT NULL, kind text NOT NULL, key text NOT NULL,
  payload bytea NOT NULL, created_at float8 NOT NULL, p_updated_at float8, p_step_index float8, p_step_name text,
  p_usage text, PRIMARY KEY (run_id, seq))`;
const FUNCTION = `CREATE FUNCTION cas_append(r text, expected int8, si float8, sn text, us text, ua float8, k text, p bytea)
  RETURNS int8 LANGUAGE plpgsql AS $$
  DECLARE v int8;
  BEGIN
    UPDATE h SET last_seq = expected + 1, step_index = si, step_name = sn, usage = us, updated_at = ua
      WHERE run_id = r AND last_seq = expected RETURNING version INTO v;
    IF NOT FOUND THEN RETURN NULL; END IF;
    INSERT INTO e (run_id, seq, kind, key, payload, created_at) VALUES (r, expected + 1, 'step-end', k, p, ua);
    RETURN v;
  END $$`;

/** One SQL variant: the statement of step `seq` (1-based) of run `runId`, and whether it needs a header row. */
interface SqlVariant {
  name: string;
  header: boolean;
  statement(runId: string, seq: number, key: string, payload: Buffer, at: number): pg.QueryConfig;
  /** Throws when the statement's result says the append did not land. */
  check?(result: pg.QueryResult): void;
}

const USAGE = '{"inputTokens":0,"outputTokens":0}';

const sqlVariants: SqlVariant[] = [
  {
    name: 'raw INSERT',
    header: false,
    statement: (runId, seq, key, payload, at) => ({
      name: 'shape_raw',
      text: 'INSERT INTO e (run_id, seq, kind, key, payload, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
      values: [runId, seq, 'step-end', key, payload, at],
    }),
  },
  {
    name: 'entry only, PK as CAS',
    header: false,
    statement: (runId, seq, key, payload, at) => ({
      name: 'shape_entry_only',
      text: 'INSERT INTO e (run_id, seq, kind, key, payload, created_at, p_updated_at, p_step_index, p_step_name, p_usage) VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9)',
      values: [runId, seq, 'step-end', key, payload, at, seq, 's', USAGE],
    }),
  },
  {
    name: 'header-free (FOR SHARE, gap check)',
    header: true,
    statement: (runId, seq, key, payload, at) => ({
      name: 'shape_header_free',
      text: `WITH head AS (SELECT version, payload_version FROM h WHERE run_id = $1 FOR SHARE),
        ins AS (INSERT INTO e (run_id, seq, kind, key, payload, created_at, p_updated_at, p_step_index, p_step_name, p_usage)
          SELECT $1, $2 + 1, 'step-end', $3, $4, $5, $5, $6, $7, $8
          WHERE EXISTS (SELECT 1 FROM head) AND ($2 = 0 OR EXISTS (SELECT 1 FROM e WHERE run_id = $1 AND seq = $2)) RETURNING 1)
        SELECT version, (SELECT count(*) FROM ins) AS inserted FROM head`,
      values: [runId, seq - 1, key, payload, at, seq, 's', USAGE],
    }),
    check: (result) => {
      if (Number(result.rows[0]?.inserted) !== 1) throw new Error('header-free: the append did not land');
    },
  },
  {
    name: 'header CAS UPDATE + INSERT',
    header: true,
    statement: (runId, seq, key, payload, at) => ({
      name: 'shape_header_cas',
      text: `WITH head AS (UPDATE h SET last_seq = $2 + 1, step_index = $6, step_name = $7, usage = $8, updated_at = $5
          WHERE run_id = $1 AND last_seq = $2 RETURNING version),
        ins AS (INSERT INTO e (run_id, seq, kind, key, payload, created_at) SELECT $1, $2 + 1, 'step-end', $3, $4, $5 WHERE EXISTS (SELECT 1 FROM head))
        SELECT version FROM head`,
      values: [runId, seq - 1, key, payload, at, seq, 's', USAGE],
    }),
    check: (result) => {
      if (result.rowCount !== 1) throw new Error('header CAS: the append did not land');
    },
  },
  {
    name: 'header CAS in plpgsql',
    header: true,
    statement: (runId, seq, key, payload, at) => ({
      name: 'shape_plpgsql',
      text: 'SELECT cas_append($1, $2, $3, $4, $5, $6, $7, $8) AS version',
      values: [runId, seq - 1, seq, 's', USAGE, at, key, payload],
    }),
    check: (result) => {
      if (result.rows[0]?.version === null) throw new Error('plpgsql: the append did not land');
    },
  },
];

const server = await startPostgresServer(noSync ? { settings: { synchronous_commit: 'off' } } : {});
try {
  const { appends, entries } = await captureStepBytes();
  const setup = new pg.Client({ connectionString: server.url });
  await setup.connect();
  for (const statement of [
    HEADER,
    'CREATE INDEX h_created ON h (created_at, run_id)',
    'CREATE INDEX h_status ON h (status, created_at, run_id)',
    ENTRIES,
    FUNCTION,
  ])
    await setup.query(statement);
  await setup.end();

  let runs = 0;
  const variants: Array<{ name: string; run(): Promise<void>; close(): Promise<void> }> = [];
  for (const variant of sqlVariants) {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    variants.push({
      name: variant.name,
      async run() {
        const runId = `r${runs++}`;
        if (variant.header)
          await client.query('INSERT INTO h VALUES ($1, $2, $3, 1, 0, 0, NULL, $4, 0, 1, 0)', [runId, 'w', 'running', USAGE]);
        for (let seq = 1; seq <= STEPS; seq++) {
          const entry = entries[seq % entries.length]!;
          const result = await client.query(
            variant.statement(runId, seq, entry.key, Buffer.from(entry.payload), entry.createdAt),
          );
          variant.check?.(result);
        }
      },
      close: () => client.end(),
    });
  }
  const store = createPostgresStore({ connectionString: server.url, schema: 'shapes' });
  const runtime = createRuntime({ store, workflows: [stepsWorkflow] });
  variants.push(
    { name: 'Cairn store append', run: () => directRun(store, `alone-${runs++}`, STEPS, appends), close: async () => undefined },
    {
      name: 'Cairn engine, retry steps',
      run: async () => {
        await (await runtime.start(stepsWorkflow, { steps: STEPS })).result();
      },
      close: async () => {
        await runtime.close();
        await store.close();
      },
    },
  );

  for (const variant of variants) await variant.run();
  const samples = new Map<string, { wall: number[]; cpu: number[] }>(variants.map((v) => [v.name, { wall: [], cpu: [] }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < variants.length; i++) {
      const variant = variants[(i + round) % variants.length]!;
      const cpu = process.cpuUsage();
      const started = performance.now();
      await variant.run();
      const used = process.cpuUsage(cpu);
      const sample = samples.get(variant.name)!;
      sample.wall.push(((performance.now() - started) * 1000) / STEPS);
      sample.cpu.push((used.user + used.system) / STEPS);
    }
  }
  for (const variant of variants) await variant.close();

  const raw = samples.get('raw INSERT')!;
  const rawWall = median(raw.wall);
  const rawCpu = median(raw.cpu);
  console.log(
    `postgres ${noSync ? 'synchronous_commit=off' : 'fsync on'}, ${STEPS} appends per run, medians of ${ROUNDS} rounds`,
  );
  console.log('| variant | wall µs/append | / raw | client CPU µs/append | CPU above raw |');
  console.log('|---|---:|---:|---:|---:|');
  for (const [name, { wall, cpu }] of samples) {
    const w = median(wall);
    const c = median(cpu);
    console.log(`| ${name} | ${w.toFixed(0)} | ${(w / rawWall).toFixed(2)}× | ${c.toFixed(0)} | ${(c - rawCpu).toFixed(0)} |`);
  }
} finally {
  await server.remove();
}
