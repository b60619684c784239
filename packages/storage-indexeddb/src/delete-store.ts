import { InvalidArgumentError } from '@cairn/core';
import { deleteDB } from 'idb';
import { ADAPTER, storageError } from './storage-errors.ts';

/**
 * Delete the database `name` and every run in it. Open stores on it (in this tab or others) close
 * their connection when asked, so the deletion is not blocked by them; they reopen an empty
 * database on their next call.
 *
 * @example
 * await deleteIndexedDBStore('my-app-runs');
 */
export async function deleteIndexedDBStore(name: string): Promise<void> {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidArgumentError(`[${ADAPTER}] deleteIndexedDBStore needs a non-empty database name`);
  }
  try {
    await deleteDB(name);
  } catch (error) {
    throw storageError(error, `database "${name}": delete`);
  }
}
