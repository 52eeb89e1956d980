import type { Leadership } from '../types.ts';

/** One process, no database: this instance always leads, at once, until it releases. */
export class LocalLeadership implements Leadership {
  async acquire(_name: string, _signal: AbortSignal): Promise<{ lost: AbortSignal; release(): Promise<void> }> {
    const lost = new AbortController();
    return { lost: lost.signal, release: async () => lost.abort() };
  }
}
