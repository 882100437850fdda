/**
 * The one way the gateway opens a Redis connection (the results cache and its work lock, the rate
 * limiter), so every user behaves the same while Redis is down:
 *
 * 1. Commands fail at once while disconnected (no offline queue): the caller falls back to memory
 *    instead of holding requests until Redis returns.
 * 2. The client reconnects forever in the background, 50 ms doubling to at most 1 s, so a restarted
 *    Redis is used again within about a second.
 * 3. Every client error goes to `onError`; without a listener, an 'error' event would crash the process.
 * 4. Closing never hangs: a client that is not connected is destroyed, and one that does not answer
 *    the graceful close within a second is destroyed too.
 */
import { createClient } from '@keyv/redis';
import { withTimeout } from './timeout.js';

export interface RedisClientOptions {
  /** `redis://…` or `rediss://…`, as `parseCacheUrl` accepted it. */
  readonly url: string;
  /** How long one connection attempt may take before it counts as failed. Default `DEFAULT_CONNECT_TIMEOUT_MS`. */
  readonly connectTimeoutMs?: number | undefined;
  /** Told about every client error: expected while Redis is down, so callers decide what is worth a warning. */
  readonly onError: (error: unknown) => void;
}

/** A local or LAN Redis connects in milliseconds; startup should not stall on one that does not. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
/** First reconnect delay, doubled per attempt up to the cap. */
const RECONNECT_BASE_DELAY_MS = 50;
/** Cap of the reconnect backoff: a restarted Redis is noticed within about a second. */
const RECONNECT_MAX_DELAY_MS = 1_000;
/** How long a graceful close may wait for replies to commands in flight. */
const CLOSE_TIMEOUT_MS = 1_000;

/** A client configured as above, not yet connected (call `connect()`; it resolves once ready). */
// The return type is inferred: node-redis' generic client type does not survive a ReturnType<typeof createClient>.
export function createRedisClient(options: RedisClientOptions) {
  const client = createClient({
    url: options.url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number) => Math.min(RECONNECT_BASE_DELAY_MS * 2 ** Math.min(retries, 16), RECONNECT_MAX_DELAY_MS),
    },
  });
  client.on('error', options.onError);
  return client;
}

export type RedisClient = ReturnType<typeof createRedisClient>;

/** Closes `client` gracefully when it can, at once when it cannot; `what` names it in the timeout's message (`redis at host:6379/0`). */
export async function closeRedisClient(client: RedisClient, what: string): Promise<void> {
  if (!client.isOpen) return;
  if (!client.isReady) {
    client.destroy();
    return;
  }
  try {
    await withTimeout(client.close(), CLOSE_TIMEOUT_MS, `${what} (close)`);
  } catch {
    // A hung server never answers the commands close() waits for: fail them and let the process exit
    // (destroy() still flushes the queue but throws because close() already marked the socket closed).
    try {
      client.destroy();
    } catch {
      // already closed
    }
    client.unref();
  }
}
