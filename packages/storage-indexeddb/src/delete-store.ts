import { InvalidArgumentError } from '@cairn/core';
import { deleteDB } from 'idb';
import { ADAPTER, storageError } from './storage-errors.ts';
import { createWitness } from './witness.ts';

/**
 * Delete the database `name` and every run in it. Open stores on it (in this tab or others) close
 * their connection when asked, so the deletion is not blocked by them; they reopen an empty
 * database on their next call. The database's witness goes too: a deletion made on purpose is not
 * a data loss.
 *
 * @example
 * await deleteIndexedDBStore('my-app-runs');
 */
export async function deleteIndexedDBStore(name: string): Promise<void> {
  if (typeof name !== 'string' || name.length === 0) {
    throw new InvalidArgumentError(`[${ADAPTER}] deleteIndexedDBStore needs a non-empty database name`);
  }
  const witness = createWitness(name);
  try {
    // Before the deletion, so a store reopening right after it adopts the new database; after it
    // too, in case a store opening in between vouched for the old one again.
    await witness.remove();
    await deleteDB(name);
    await witness.remove();
  } catch (error) {
    throw storageError(error, `database "${name}": delete`);
  }
}
