/**
 * What main.ts needs from a channel adapter: start, stop, and a status line for /readyz and the
 * start-up banner. Adapters own their platform details; they reach the core only through the Engine.
 */
export interface ChannelStatus {
  name: string;
  enabled: boolean;
  /** 'disabled' (not configured), 'starting', 'running', 'failed' (e.g. 401), 'stopped'. */
  state: 'disabled' | 'starting' | 'running' | 'failed' | 'stopped';
  detail?: string;
}

export interface ChannelAdapter {
  readonly name: string;
  start(): Promise<void>;
  /** Stops receiving, finishes in-flight work and flushes what it stores. */
  stop(): Promise<void>;
  status(): ChannelStatus;
}
