/**
 * Uploaded images (`POST /images`) and images fetched by URL, by content id. They live in the cache store (shared by replicas,
 * expiring after UPLOAD_TTL_SECONDS) and, because an id names immutable bytes, also in a small
 * in-process LRU: a Redis-backed gateway would otherwise pull the same megabytes from Redis for
 * every `image(id:)` query.
 */
import { LRUCache } from 'lru-cache';
import { uploadKey } from '../cache/cacheKey.js';
import type { ResultCache } from '../cache/resultCache.js';

/** An uploaded image: its bytes and what sniffing found, so `image(id:)` needs no re-sniff. */
export interface StoredUpload {
  readonly bytes: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly format: string;
}

/** 64 MiB: dozens of photos; the store behind it holds the rest. */
export const DEFAULT_UPLOAD_MEMORY_BYTES = 64 * 1024 * 1024;

export function isStoredUpload(value: unknown): value is StoredUpload {
  if (typeof value !== 'object' || value === null) return false;
  const upload = value as Record<string, unknown>;
  return (
    upload['bytes'] instanceof Uint8Array &&
    typeof upload['width'] === 'number' &&
    typeof upload['height'] === 'number' &&
    typeof upload['format'] === 'string'
  );
}

export class UploadStore {
  private readonly recent: LRUCache<string, StoredUpload>;

  constructor(
    private readonly cache: ResultCache,
    readonly ttlMs: number,
    memoryBytes: number = DEFAULT_UPLOAD_MEMORY_BYTES,
  ) {
    // The local copy expires with the stored one, so an id never outlives its upload here either.
    this.recent = new LRUCache({
      maxSize: Math.max(1, memoryBytes),
      sizeCalculation: (upload) => Math.max(1, upload.bytes.byteLength),
      ttl: ttlMs,
    });
  }

  async put(id: string, upload: StoredUpload): Promise<void> {
    this.recent.set(id, upload);
    await this.cache.set(uploadKey(id), upload, this.ttlMs);
  }

  /**
   * Stores an image fetched by URL, so that `GET /images/{id}` can show it too; skipped when this
   * process stored or read the same id lately (the shared store has it then), so a URL queried
   * again and again is not rewritten to Redis each time.
   */
  async keep(id: string, upload: StoredUpload): Promise<void> {
    if (this.recent.has(id)) return;
    await this.put(id, upload);
  }

  async get(id: string): Promise<StoredUpload | undefined> {
    const local = this.recent.get(id);
    if (local) return local;
    const stored = await this.cache.get(uploadKey(id), isStoredUpload);
    if (stored) this.recent.set(id, stored);
    return stored;
  }
}
