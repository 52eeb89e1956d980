import { z } from 'zod';

/**
 * Zalo OA v3 webhook events (docs/channels reference §1.2). Ids arrive as strings but are parsed
 * defensively (a number is accepted and turned into its decimal string).
 */
const id = z.union([z.string().min(1), z.number().int()]).transform((v) => String(v));
const timestamp = z.union([z.string().regex(/^\d{1,16}$/), z.number().int().nonnegative()]).transform((v) => Number(v));

/** Fields every event carries (and the signature covers). */
export const baseEventSchema = z.looseObject({
  app_id: id,
  event_name: z.string().min(1).max(100),
  timestamp,
});

const userMessageBase = {
  app_id: id,
  timestamp,
  sender: z.looseObject({ id }),
  recipient: z.looseObject({ id }).optional(),
  user_id_by_app: id.optional(),
};

/** A resident's text message. */
export const textEventSchema = z.looseObject({
  ...userMessageBase,
  event_name: z.literal('user_send_text'),
  message: z.looseObject({ msg_id: id, text: z.string() }),
});

/** Non-text user messages: image, sticker, audio, location, file, gif, link, video, business card. */
export const NON_TEXT_EVENTS = [
  'user_send_image',
  'user_send_sticker',
  'user_send_audio',
  'user_send_location',
  'user_send_file',
  'user_send_gif',
  'user_send_link',
  'user_send_video',
  'user_send_business_card',
] as const;

/** A resident's picture, sticker, file, location…: answered with a short hint. */
export const nonTextEventSchema = z.looseObject({
  ...userMessageBase,
  event_name: z.enum(NON_TEXT_EVENTS),
  message: z.looseObject({ msg_id: id }),
});

/** A new follower: welcomed with the topic menu. */
export const followEventSchema = z.looseObject({
  app_id: id,
  timestamp,
  event_name: z.literal('follow'),
  follower: z.looseObject({ id }),
  oa_id: id.optional(),
});

/** A validated text event. */
export type TextEvent = z.infer<typeof textEventSchema>;
/** A validated non-text event. */
export type NonTextEvent = z.infer<typeof nonTextEventSchema>;
/** A validated follow event. */
export type FollowEvent = z.infer<typeof followEventSchema>;

/** What a verified delivery turned out to be. */
export type ParsedEvent =
  | { kind: 'text'; event: TextEvent }
  | { kind: 'non-text'; event: NonTextEvent }
  | { kind: 'follow'; event: FollowEvent }
  | { kind: 'other'; eventName: string; timestamp: number }
  | { kind: 'invalid'; eventName?: string; issues: string };

/** Validates a verified webhook body into one of the event kinds we handle. */
export function parseEvent(body: unknown): ParsedEvent {
  const base = baseEventSchema.safeParse(body);
  if (!base.success) return { kind: 'invalid', issues: summarize(base.error) };
  const name = base.data.event_name;
  const pick = <T>(schema: z.ZodType<T>, make: (e: T) => ParsedEvent): ParsedEvent => {
    const r = schema.safeParse(body);
    return r.success ? make(r.data) : { kind: 'invalid', eventName: name, issues: summarize(r.error) };
  };
  if (name === 'user_send_text') return pick(textEventSchema, (event) => ({ kind: 'text', event }));
  if ((NON_TEXT_EVENTS as readonly string[]).includes(name)) return pick(nonTextEventSchema, (event) => ({ kind: 'non-text', event }));
  if (name === 'follow') return pick(followEventSchema, (event) => ({ kind: 'follow', event }));
  return { kind: 'other', eventName: name, timestamp: base.data.timestamp };
}

function summarize(err: z.ZodError): string {
  return err.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
