/**
 * The channel-neutral vocabulary shared by the core and every adapter.
 * Adapters translate platform updates into {@link Incoming} and render {@link Reply};
 * nothing in here knows Telegram, Zalo or HTTP, and nothing in channels knows policy.
 */

/** Policy topics that carry knowledge entries (everything but statistics, smalltalk, out_of_scope). */
export const POLICY_TOPICS = [
  'loan',
  'health_insurance',
  'tuition',
  'legal_aid',
  'vocational_training',
  'housing',
  'poverty_standard',
  'benefits_overview',
  'other_policy',
] as const;

/** The fixed set of topics the engine classifies into (a stable interface: eval and API report it). */
export const TOPICS = [...POLICY_TOPICS, 'statistics', 'smalltalk', 'out_of_scope'] as const;
export type Topic = (typeof TOPICS)[number];

export type PolicyTopic = (typeof POLICY_TOPICS)[number];

/** Household categories a question can be about. */
export const HOUSEHOLD_TYPES = ['poor', 'near_poor', 'escaped', 'average'] as const;
export type HouseholdType = (typeof HOUSEHOLD_TYPES)[number];

export type ChannelName = 'web' | 'api' | 'cli' | 'telegram' | 'zalo-oa' | 'zalo-bot' | 'test';

/** One message from a person, whatever door it came through. */
export interface Incoming {
  channel: ChannelName;
  /** Stable id of the conversation within the channel (chat id, Zalo user id, browser id). */
  conversationId: string;
  /** Free text typed by the person. */
  text?: string;
  /** Payload of a pressed button (see {@link Button}); takes precedence over text. */
  payload?: string;
  /** Platform message id, used by adapters for de-duplication; the core ignores it. */
  messageId?: string;
  /** Set by adapters only after checking configured admin ids or tokens. */
  isAdmin?: boolean;
}

/** A choice offered under a reply. The payload comes back as {@link Incoming.payload}. */
export interface Button {
  label: string;
  payload: string;
}

/** Where a statement comes from: shown under answers so people can check it. */
export interface Citation {
  instrument: string;
  article?: string;
  /** ISO date from which the cited rule applies. */
  effectiveFrom?: string;
  /** ISO date a cited figure refers to (statistics), shown as "số liệu tại …". */
  asOf?: string;
  url?: string;
}

/** One message the bot sends back. Text is plain with light *emphasis* (adapters decide markup). */
export interface Reply {
  text: string;
  buttons?: Button[];
  citations?: Citation[];
  /** Optional picture (a chart) rendered on the server. */
  image?: { mime: 'image/png'; base64: string; alt: string };
}

/** What the core returns for one incoming message. */
export interface TurnResult {
  replies: Reply[];
  topic: Topic;
  household: HouseholdType | null;
  /** 0..1: how sure the engine is that it answered the question that was asked. */
  confidence: number;
  /** The knowledge entry the answer came from (its id), when it came from one: for integrators, the inbox and tests. */
  entry?: string;
  /** Machine-readable outcome, used by the inbox and usage figures. */
  outcome?: 'answered' | 'clarify' | 'declined' | 'flow' | 'fallback';
  /** For the learning loop only (never shown): the person said the previous answer was wrong. */
  signals?: { complaint?: boolean };
}

/** State of a multi-step conversation (the guided eligibility check, for instance). */
export interface FlowState {
  name: string;
  step: string;
  data: Record<string, unknown>;
  startedAt: string;
}

/**
 * What the engine remembers about one conversation between messages.
 * Kept small and free of personal data beyond what an unfinished flow needs.
 */
export interface Session {
  id: string;
  updatedAt: string;
  topic?: Topic;
  household?: HouseholdType | null;
  /** Last area mentioned (stats area id, or 'rural'/'urban' for the standard). */
  area?: string;
  /** Last year mentioned. */
  year?: number;
  /** Last statistics indicator asked about. */
  indicator?: string;
  /** Last knowledge entry answered. */
  entryId?: string;
  /** An unfinished guided flow, if any. */
  flow?: FlowState;
  /** Free slot for modules that need to remember small things (keyed by module name). */
  memo?: Record<string, unknown>;
}
