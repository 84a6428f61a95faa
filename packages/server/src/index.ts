export * from './clock.js';
export * from './config.js';
export * from './context.js';
export * from './sandbox.js';
export * from './limits/types.js';
export { MemoryLimitStore } from './limits/memory-store.js';
export { RedisLimitStore } from './limits/redis-store.js';
export { AccountRegistry } from './security/accounts.js';
