export { acquireStackLock, type AcquireOptions } from "./acquire";
export { DynamoStackLock, LOCK_TABLE_KEY } from "./dynamoLock";
export { FileStackLock } from "./fileLock";
export { type HeartbeatTimers, startHeartbeat } from "./heartbeat";
export { DEFAULT_LEASE_SECONDS, openStackLock } from "./open";
export * from "./types";
