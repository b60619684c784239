/**
 * The crash-torture harness (ADR 0090, 0091): `runTorture` for tests and `scripts/torture.ts`.
 */
export { bundleTortureChild } from './child-bundle.ts';
export { runTorture } from './run-torture.ts';
export type { TortureOptions, TortureReport } from './torture-report.ts';
export { formatTortureReport } from './torture-report.ts';
export type { TorturePlan, TortureVerdict } from './verify-torture.ts';
export { verifyTortureDir } from './verify-torture.ts';
