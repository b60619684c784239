/**
 * Every `cairn` command, in the order help lists them.
 */
import type { Command } from '../command.ts';
import { approveCommand } from './approve-command.ts';
import { cleanupCommand } from './cleanup-command.ts';
import { deleteCommand } from './delete-command.ts';
import { exportCommand } from './export-command.ts';
import { followCommand } from './follow-command.ts';
import { historyCommand } from './history-command.ts';
import { importCommand } from './import-command.ts';
import { listCommand } from './list-command.ts';
import { resumeCommand } from './resume-command.ts';
import { showCommand } from './show-command.ts';
import { statsCommand } from './stats-command.ts';

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
  followCommand,
  exportCommand,
  importCommand,
];
