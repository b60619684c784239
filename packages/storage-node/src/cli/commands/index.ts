/**
 * Every `cairn` command, in the order help lists them.
 */
import type { Command } from '../command.ts';
import { approveCommand } from './approve-command.ts';
import { cancelCommand } from './cancel-command.ts';
import { checkReplayCommand } from './check-replay-command.ts';
import { cleanupCommand } from './cleanup-command.ts';
import { deleteCommand } from './delete-command.ts';
import { exportCommand } from './export-command.ts';
import { followCommand } from './follow-command.ts';
import { forkCommand } from './fork-command.ts';
import { historyCommand } from './history-command.ts';
import { importCommand } from './import-command.ts';
import { listCommand } from './list-command.ts';
import { resumeCommand } from './resume-command.ts';
import { retryCommand } from './retry-command.ts';
import { serveCommand } from './serve-command.ts';
import { showCommand } from './show-command.ts';
import { signalCommand } from './signal-command.ts';
import { statsCommand } from './stats-command.ts';
import { uiCommand } from './ui-command.ts';

/** The commands. */
export const COMMANDS: readonly Command[] = [
  listCommand,
  showCommand,
  historyCommand,
  statsCommand,
  deleteCommand,
  cleanupCommand,
  approveCommand,
  resumeCommand,
  retryCommand,
  forkCommand,
  cancelCommand,
  signalCommand,
  serveCommand,
  checkReplayCommand,
  followCommand,
  exportCommand,
  importCommand,
  uiCommand,
];
