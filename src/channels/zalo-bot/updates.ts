import { z } from 'zod';

/** Zalo Bot Platform updates (webhook bodies and getUpdates results). */
const id = z.union([z.string().min(1), z.number()]).transform((v) => String(v));

/** A Bot Platform message; ids arrive as strings or numbers and are kept as strings. */
export const botMessageSchema = z.looseObject({
  message_id: id,
  date: z.union([z.number(), z.string()]).optional(),
  from: z.looseObject({ id, display_name: z.string().optional(), is_bot: z.boolean().optional() }),
  chat: z.looseObject({ id, chat_type: z.string().optional() }).optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
});

/** One update: the event name and its message. */
export const updateSchema = z.looseObject({
  event_name: z.string().min(1).max(100),
  message: botMessageSchema,
});

/** A validated update. */
export type BotUpdate = z.infer<typeof updateSchema>;

/**
 * Accepts the wrapped `{ok, result: {event_name, message}}` and the bare `{event_name, message}`
 * shapes, and a result that is a list of updates; returns the valid updates and a count of invalid ones.
 */
export function extractUpdates(body: unknown): { updates: BotUpdate[]; invalid: number } {
  let payload: unknown = body;
  if (payload && typeof payload === 'object' && !Array.isArray(payload) && 'result' in payload && !('event_name' in payload)) {
    payload = (payload as { result: unknown }).result;
  }
  const isEmpty = (v: unknown) =>
    v === null || v === undefined || v === true || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
  // "No update" may come back as an empty result ({}, null, true) rather than a 408: not an invalid update.
  const items = (Array.isArray(payload) ? payload : [payload]).filter((v) => !isEmpty(v));
  const updates: BotUpdate[] = [];
  let invalid = 0;
  for (const item of items) {
    const r = updateSchema.safeParse(item);
    if (r.success) updates.push(r.data);
    else invalid++;
  }
  return { updates, invalid };
}
