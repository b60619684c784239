/**
 * How much work each scenario does. The full run is sized to finish in about 8 minutes on the
 * 2-core CI machine; `--quick` is a smoke run (< 1 minute) whose figures are indicative only.
 */

/** Sizes and repetition counts of every scenario. */
export interface BenchSettings {
  quick: boolean;
  /** Per-step overhead: steps per run, and repetitions for each size. */
  overhead: Array<{ steps: number; repetitions: number }>;
  /** The same for the Durable Objects and IndexedDB rows (sizes ≤ 1 000). */
  remoteOverhead: Array<{ steps: number; repetitions: number }>;
  /** Steps per run when counting store writes per step. */
  writeCountSteps: number;
  /** Agent turns: snapshot points (the last one is the run length) and LangGraph's cap. */
  agentTurns: number[];
  langGraphTurns: number[];
  /** Resume: journal sizes and repetitions (fresh processes) per size. */
  resume: Array<{ steps: number; repetitions: number }>;
  /** Throughput: concurrent runs, steps per run, repetitions. */
  throughput: { runs: number; steps: number; repetitions: number };
}

/** The settings for a full or a quick run. */
export function benchSettings(quick: boolean): BenchSettings {
  if (quick) {
    return {
      quick,
      overhead: [{ steps: 100, repetitions: 2 }],
      remoteOverhead: [{ steps: 100, repetitions: 2 }],
      writeCountSteps: 20,
      agentTurns: [10, 30],
      langGraphTurns: [10, 30],
      resume: [{ steps: 500, repetitions: 1 }],
      throughput: { runs: 50, steps: 10, repetitions: 1 },
    };
  }
  return {
    quick,
    overhead: [
      { steps: 100, repetitions: 15 },
      { steps: 1000, repetitions: 7 },
      { steps: 10_000, repetitions: 3 },
    ],
    remoteOverhead: [
      { steps: 100, repetitions: 15 },
      { steps: 1000, repetitions: 5 },
    ],
    writeCountSteps: 200,
    agentTurns: [10, 100, 1000],
    langGraphTurns: [10, 100, 1000],
    resume: [
      { steps: 1000, repetitions: 7 },
      { steps: 10_000, repetitions: 5 },
    ],
    throughput: { runs: 1000, steps: 10, repetitions: 3 },
  };
}
