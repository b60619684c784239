/**
 * Scenario 2, agent turns: the same ~1 KB-per-turn workload through Cairn's agent layer on each
 * store and through LangGraph.js with its two savers. Bytes and time per turn are read at turns
 * 10, 100 and 1 000 of one long run as the change over the window (k/10, k] (lib/turn-probe.ts).
 */
import { bytes, millis, ratio } from '../lib/format.ts';
import type { Report } from '../lib/report.ts';
import type { BenchSettings } from '../lib/settings.ts';
import { STORE_LABELS, type StoreKind } from '../lib/stores.ts';
import { collectGarbage } from '../lib/timing.ts';
import { perTurn } from '../lib/turn-probe.ts';
import { cairnAgentTurns, type TurnSeries } from './cairn-agent-turns.ts';
import { langGraphTurns } from './langgraph-turns.ts';

function storageLabel(series: TurnSeries): string {
  return series.framework === 'Cairn agent' ? STORE_LABELS[series.storage as StoreKind] : series.storage;
}

function msPerStep(series: TurnSeries, k: number): number {
  return perTurn(series.points, k, 'elapsedMs') / series.stepsPerTurn;
}

function pairRatios(report: Report, ours: TurnSeries, theirs: TurnSeries, turns: readonly number[]): void {
  report.table({
    headers: ['turn k', 'logical B/turn (theirs/ours)', 'disk B/turn (theirs/ours)', 'ms/step (theirs/ours)'],
    rows: turns.map((k) => [
      String(k),
      ratio(perTurn(theirs.points, k, 'logicalBytes') / perTurn(ours.points, k, 'logicalBytes')),
      ratio(perTurn(theirs.points, k, 'diskBytes') / perTurn(ours.points, k, 'diskBytes')),
      ratio(msPerStep(theirs, k) / msPerStep(ours, k)),
    ]),
  });
}

/** Run scenario 2 and print its tables. */
export async function agentTurns(settings: BenchSettings, report: Report): Promise<void> {
  const series: TurnSeries[] = [];
  for (const kind of ['memory', 'sqlite-full', 'sqlite-normal', 'file'] as const) {
    collectGarbage();
    series.push(await cairnAgentTurns(kind, settings.agentTurns));
  }
  for (const saver of ['memory', 'sqlite'] as const) {
    collectGarbage();
    series.push(await langGraphTurns(saver, settings.langGraphTurns));
  }
  const turns = settings.agentTurns;
  report.paragraph(
    'Workload: each turn the model asks for one tool call (a ~30 B assistant text plus the call) and the tool ' +
      'returns 1 000 B of text; a turn is two steps in both frameworks (Cairn: model step + tool step with its intent; ' +
      'LangGraph: model node + tools node). Cairn runs the real agent layer (`defineAgent`, `tool`, ' +
      '`createScriptedModel`). LangGraph runs a `StateGraph` over `MessagesAnnotation` with `durability: "sync"`. One ' +
      `run per row, ${Math.max(...turns)} turns long; the value "at turn k" is the change over turns (k/10, k] divided by ` +
      'the number of turns (or steps) in that window. Logical bytes: Cairn = payload/input/output strings handed to ' +
      'the store; LangGraph = bytes its serializer produced. Disk: SQLite db + wal after a checkpoint; file store: ' +
      'journal and header bytes (space allocated ahead excluded); MemorySaver: bytes held in its maps.',
  );
  report.heading(3, 'Bytes per turn');
  report.table({
    headers: [
      'framework',
      'storage',
      ...turns.map((k) => `logical B/turn @${k}`),
      ...turns.map((k) => `disk B/turn @${k}`),
      `disk total @${Math.max(...turns)}`,
    ],
    rows: series.map((s) => [
      s.framework,
      storageLabel(s),
      ...turns.map((k) => bytes(perTurn(s.points, k, 'logicalBytes'))),
      ...turns.map((k) => (s.storage === 'memory' ? 'n/a' : bytes(perTurn(s.points, k, 'diskBytes')))),
      s.storage === 'memory' ? 'n/a' : bytes(s.points.get(Math.max(...turns))?.diskBytes ?? Number.NaN),
    ]),
  });
  report.heading(3, 'Time per step');
  report.table({
    headers: ['framework', 'storage', ...turns.map((k) => `ms/step @${k}`), 'ms/step whole run', 'run s', 'note'],
    rows: series.map((s) => [
      s.framework,
      storageLabel(s),
      ...turns.map((k) => millis(msPerStep(s, k))),
      millis(s.totalMs / (s.turns * s.stepsPerTurn)),
      (s.totalMs / 1000).toFixed(1),
      s.note ?? '',
    ]),
  });
  const last = Math.max(...turns);
  for (const s of series.filter((one) => one.framework === 'Cairn agent')) {
    const growth = perTurn(s.points, last, 'logicalBytes') / perTurn(s.points, turns[0]!, 'logicalBytes');
    report.budget({
      budget: `bytes per agent turn stay flat, Cairn on ${storageLabel(s)}`,
      target: `turn ${last} ≤ 1.1× turn ${turns[0]}`,
      measured: `${bytes(perTurn(s.points, last, 'logicalBytes'))} vs ${bytes(perTurn(s.points, turns[0]!, 'logicalBytes'))} (${ratio(growth)})`,
      met: growth <= 1.1,
    });
  }
  const find = (framework: string, storage: string): TurnSeries =>
    series.find((s) => s.framework === framework && s.storage === storage)!;
  report.heading(3, 'LangGraph SqliteSaver / Cairn SQLite (both WAL, synchronous=NORMAL)');
  pairRatios(report, find('Cairn agent', 'sqlite-normal'), find('LangGraph.js', 'SqliteSaver (file)'), turns);
  report.heading(3, 'LangGraph MemorySaver / Cairn memory store');
  pairRatios(report, find('Cairn agent', 'memory'), find('LangGraph.js', 'MemorySaver'), turns);
}
