/**
 * The scenarios, in the order they run and appear in RESULTS.md.
 */
import type { Report } from '../lib/report.ts';
import type { BenchSettings } from '../lib/settings.ts';
import { agentTurns } from './agent-turns.ts';
import { durableObjectsOverhead } from './durable-objects.ts';
import { indexedDbOverhead } from './indexeddb.ts';
import { postgresScenario } from './postgres.ts';
import { redisOverhead } from './redis.ts';
import { resume } from './resume.ts';
import { stepOverhead } from './step-overhead.ts';
import { throughput } from './throughput.ts';
import { writeCounts } from './write-counts.ts';

/** One section of the report. */
export interface Scenario {
  /** For `--only=`. */
  id: string;
  title: string;
  run(settings: BenchSettings, report: Report): Promise<unknown>;
}

/** Every scenario. */
export const SCENARIOS: Scenario[] = [
  {
    id: 'overhead',
    title: '1. Per-step overhead',
    async run(settings, report) {
      await stepOverhead(settings, report);
      await writeCounts(settings, report);
    },
  },
  { id: 'durable-objects', title: '1b. Per-step overhead in workerd (Durable Objects)', run: durableObjectsOverhead },
  { id: 'indexeddb', title: '1c. Per-step overhead in Chromium (IndexedDB)', run: indexedDbOverhead },
  { id: 'redis', title: '1d. Per-step overhead on Redis', run: redisOverhead },
  { id: 'agent', title: '2. Agent turns: Cairn and LangGraph.js', run: agentTurns },
  { id: 'resume', title: '3. Resume', run: resume },
  { id: 'throughput', title: '4. Throughput', run: throughput },
  {
    id: 'postgres',
    title: '5. Postgres: overhead against a raw INSERT and DBOS, throughput with 1-4 workers',
    run: postgresScenario,
  },
];
