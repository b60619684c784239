/**
 * @cairn/core — durable AI-agent runs. The engine, the storage contract, the memory store, errors
 * and the codec. Adapters live in their own packages and implement `DurableStore`.
 */
export * from './errors.ts';
export * from './storage/types.ts';
export * from './storage/helpers.ts';
export * from './storage/run-id.ts';
export { createMemoryStore, createMemoryBacking } from './storage/memory-store.ts';
export type { CreateMemoryStoreOptions, MemoryBacking } from './storage/memory-store.ts';
export { encode, decode, serializeError, deserializeError, byteLength } from './codec.ts';
export type { SerializedError, CodecContext } from './codec.ts';
export type { RunLocks, HeldRunLock } from './storage/run-locks.ts';
