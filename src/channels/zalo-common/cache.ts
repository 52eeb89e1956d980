import { systemClock } from '../../time/clock.ts';

/**
 * A small bounded map with a time-to-live, in insertion (least recently set) order: remembers the last
 * choices offered to each person without growing without limit. (Handled event ids live in the
 * de-duplication store, by time.)
 */
export class TtlCache<V> {
  private readonly map = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly maxSize: number,
    private readonly ttlMs: number,
    /** Real time (the channel passes the engine's clock). */
    private readonly now: () => number = systemClock.nowMs,
  ) {}

  get(key: string): V | undefined {
    const hit = this.map.get(key);
    if (!hit) return undefined;
    if (hit.expires <= this.now()) {
      this.map.delete(key);
      return undefined;
    }
    return hit.value;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: V, expiresAt?: number): void {
    this.map.delete(key);
    this.map.set(key, { value, expires: expiresAt ?? this.now() + this.ttlMs });
    while (this.map.size > this.maxSize) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
    }
  }

  delete(key: string): boolean {
    return this.map.delete(key);
  }

  get size(): number {
    return this.map.size;
  }

  /** Live entries with their expiry (for persistence). */
  entries(): Array<[string, V, number]> {
    const t = this.now();
    const out: Array<[string, V, number]> = [];
    for (const [k, v] of this.map) if (v.expires > t) out.push([k, v.value, v.expires]);
    return out;
  }
}
