/**
 * `@cairn/storage-redis`: a Cairn `DurableStore` on Redis through ioredis.
 */

export { ADAPTER } from './redis-adapter.ts';
export { describeUrl, type RedisConnection, type RedisDurability } from './redis-connection.ts';
export { checkRedisIntegrity, type RedisIntegrityReport } from './redis-integrity.ts';
export {
  type CreateRedisStoreOptions,
  createRedisStore,
  DEFAULT_MAX_PAYLOAD_BYTES,
  MAX_PAYLOAD_BYTES_CEILING,
} from './redis-store.ts';
