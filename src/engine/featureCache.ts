/**
 * Vision-encoder outputs per (model, image), in process memory bounded in bytes. The vision encoder
 * is two thirds of a short task's cost (STACK.md: ~2.3 s of ~3.5 s for a base caption on 2 cores),
 * so a second task on an image must never run it again.
 */
import { totalmem } from 'node:os';
import { LRUCache } from 'lru-cache';

/** A tenth of the machine's memory, at most 2 GiB: ~1,100 base-model images (577 × 768 floats each). */
export function defaultFeatureCacheBytes(): number {
  return Math.min(2 * 1024 ** 3, Math.floor(totalmem() / 10));
}

export interface FeatureCacheStats {
  readonly entries: number;
  readonly bytes: number;
  readonly hits: number;
  readonly misses: number;
}

export class FeatureCache {
  private readonly lru: LRUCache<string, Float32Array>;
  private hits = 0;
  private misses = 0;

  constructor(maxBytes: number = defaultFeatureCacheBytes()) {
    this.lru = new LRUCache<string, Float32Array>({
      maxSize: Math.max(1, maxBytes),
      sizeCalculation: (features) => Math.max(1, features.byteLength),
    });
  }

  get(key: string): Float32Array | undefined {
    const features = this.lru.get(key);
    if (features) this.hits++;
    else this.misses++;
    return features;
  }

  set(key: string, features: Float32Array): void {
    this.lru.set(key, features);
  }

  stats(): FeatureCacheStats {
    return { entries: this.lru.size, bytes: this.lru.calculatedSize, hits: this.hits, misses: this.misses };
  }
}
