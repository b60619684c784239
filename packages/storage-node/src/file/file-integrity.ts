/**
 * `checkFileStoreIntegrity`: does every run's journal verify (checksums, record order, dense seq),
 * and do the header checkpoints agree with the journals? Read-only: it takes no lock and writes
 * nothing, so it can run beside live processes (a write in progress may show as a torn tail note).
 */
import { closeSync, readdirSync } from 'node:fs';
import { CairnError } from '@cairn/core';
import { type IntegrityReport, reportBuilder } from '../shared/integrity-report.ts';
import { toFileStoreError } from './fs-util.ts';
import { readHeader } from './header-file.ts';
import { readJournalEntries } from './journal-read.ts';
import { loadJournal } from './run-journal.ts';
import { openLayout } from './store-layout.ts';

/**
 * Verify every run of the file store in `dir`.
 *
 * @example
 * const report = await checkFileStoreIntegrity('./cairn-runs');
 * if (!report.ok) console.error(report.problems.join('\n'));
 */
export async function checkFileStoreIntegrity(dir: string): Promise<IntegrityReport> {
  const report = reportBuilder();
  let runs = 0;
  let entries = 0;
  try {
    const layout = openLayout(dir, false);
    for (const runId of layout.listRunIds()) {
      runs++;
      let journal: ReturnType<typeof loadJournal>;
      try {
        journal = loadJournal(layout, runId);
      } catch (error) {
        if (!CairnError.is(error, 'corrupt-journal')) throw error;
        report.problem(error.message);
        continue;
      }
      if (!journal) {
        report.problem(`run "${runId}": folder without a journal`);
        continue;
      }
      try {
        const read = readJournalEntries(journal, 0, undefined);
        entries += read.length;
        if (read.some((entry, index) => entry.seq !== index + 1) || read.length !== journal.record.lastSeq) {
          report.problem(
            `run "${runId}": lastSeq is ${journal.record.lastSeq} but the journal holds ${read.length} entries that are not 1..n`,
          );
        }
        const header = readHeader(layout.runDir(runId), runId);
        if (
          header &&
          (header.offset > journal.validEnd ||
            header.run.lastSeq > journal.record.lastSeq ||
            header.run.version > journal.record.version)
        ) {
          report.problem(
            `run "${runId}": header checkpoint (offset ${header.offset}) is ahead of the journal (${journal.validEnd} bytes)`,
          );
        }
        if (journal.tailDirty)
          report.note(`run "${runId}": torn write after byte ${journal.validEnd} (ignored; the next append cuts it off)`);
      } catch (error) {
        if (!CairnError.is(error, 'corrupt-journal')) throw error;
        report.problem(error.message);
      } finally {
        closeSync(journal.fd);
      }
    }
    for (const name of readdirSync(layout.tmpDir))
      report.note(`tmp/${name}: left by an interrupted create or delete (removed when a store opens)`);
  } catch (error) {
    throw toFileStoreError(error, `checking ${JSON.stringify(String(dir))}`);
  }
  return report.finish(runs, entries);
}
