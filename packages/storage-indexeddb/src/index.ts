/**
 * @cairn/storage-indexeddb — durable Cairn runs in the browser. An IndexedDB store shared by the
 * tabs of an origin, Web Locks so one tab drives a run at a time, and a BroadcastChannel so the
 * other tabs can follow its progress.
 */

export type { IndexedDBDataLoss } from './data-loss.ts';
export { acknowledgeIndexedDBDataLoss, IndexedDBDataLossError, isIndexedDBDataLossError } from './data-loss.ts';
export { deleteIndexedDBStore } from './delete-store.ts';
export type { CreateIndexedDBStoreOptions } from './indexeddb-store.ts';
export { createIndexedDBStore } from './indexeddb-store.ts';
export { DEFAULT_MAX_PAYLOAD_BYTES } from './payload-limit.ts';
export type { TabChannel, TabMessage, TabMessageBase } from './tab-channel.ts';
export { createTabChannel } from './tab-channel.ts';
export type { CreateWebLocksOptions, WaitForRunLockOptions, WebRunLocks } from './web-locks.ts';
export { createWebLocks } from './web-locks.ts';
