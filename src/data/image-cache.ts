/**
 * A cache of decoded images, least recently used out first, bounded by bytes (Seed 000 §2.4
 * network optimisation: "数据缓存" data caching). An image folder read once per epoch decodes
 * every PNG again each pass; with a cache large enough for the set, the second pass decodes
 * nothing. Entries are the decoded float32 pixels, so the budget is what they really occupy.
 */

/** Hits, misses and what the cache holds. */
export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly evictions: number;
  /** Items too large for the whole budget, never stored. */
  readonly refused: number;
  readonly entries: number;
  readonly bytes: number;
  readonly maxBytes: number;
  /** hits / (hits + misses); 0 before any lookup. */
  readonly hitRate: number;
}

/** Raised for a cache budget that is not a non-negative number of bytes. */
export class CacheBudgetError extends RangeError {
  override name = "CacheBudgetError";
}

/** LRU cache of decoded pixels, bounded by their bytes. */
export class DecodedImageCache {
  private readonly entries = new Map<string, Float32Array>();
  private held = 0;
  private counts = { hits: 0, misses: 0, evictions: 0, refused: 0 };

  constructor(readonly maxBytes: number) {
    if (!(Number.isFinite(maxBytes) && maxBytes >= 0))
      throw new CacheBudgetError(`a cache budget is a non-negative number of bytes, got ${maxBytes}`);
  }

  /** The pixels stored under `key` (now the most recently used), or undefined: a miss. */
  get(key: string): Float32Array | undefined {
    const value = this.entries.get(key);
    if (value === undefined) {
      this.counts.misses++;
      return undefined;
    }
    this.counts.hits++;
    // A Map iterates in insertion order: re-inserting makes this entry the newest.
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /**
   * Stores pixels, evicting the least recently used entries until they fit; larger than the whole budget: not stored.
   */
  set(key: string, value: Float32Array): void {
    const previous = this.entries.get(key);
    if (previous !== undefined) {
      this.entries.delete(key);
      this.held -= previous.byteLength;
    }
    if (value.byteLength > this.maxBytes) {
      this.counts.refused++;
      return;
    }
    for (const [oldest, pixels] of this.entries) {
      if (this.held + value.byteLength <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.held -= pixels.byteLength;
      this.counts.evictions++;
    }
    this.entries.set(key, value);
    this.held += value.byteLength;
  }

  /** Whether `key` is held (no effect on order or counts). */
  has(key: string): boolean {
    return this.entries.has(key);
  }

  get stats(): CacheStats {
    const lookups = this.counts.hits + this.counts.misses;
    return {
      ...this.counts,
      entries: this.entries.size,
      bytes: this.held,
      maxBytes: this.maxBytes,
      hitRate: lookups === 0 ? 0 : this.counts.hits / lookups,
    };
  }

  /** Zeroes the counts, keeping the entries (to measure one epoch at a time). */
  resetStats(): void {
    this.counts = { hits: 0, misses: 0, evictions: 0, refused: 0 };
  }

  /** Empties the cache and its counts. */
  clear(): void {
    this.entries.clear();
    this.held = 0;
    this.resetStats();
  }
}
