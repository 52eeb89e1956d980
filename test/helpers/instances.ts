/**
 * Helpers for tests that run several `npm start` processes on one PostgreSQL database: a conversation script whose
 * every other turn only makes sense with the previous turn's context, and a small HTTP client.
 */

/** One turn of {@link SCRIPT}: what is typed and the topic/household the answer must have. */
export interface ScriptTurn {
  text: string;
  topic: string;
  household: string | null;
}

/**
 * Ten messages: a question, then a follow-up that only the previous question's context explains ("thế cận nghèo
 * thì sao?" after a legal-aid question is about legal aid). A turn processed out of order, or on an instance that
 * does not see the previous turn's session, answers a different topic.
 */
export const SCRIPT: ScriptTurn[] = [
  { text: 'hộ nghèo có được trợ giúp pháp lý miễn phí không', topic: 'legal_aid', household: 'poor' },
  { text: 'thế cận nghèo thì sao?', topic: 'legal_aid', household: 'near_poor' },
  { text: 'lãi suất vay hộ nghèo hiện nay', topic: 'loan', household: 'poor' },
  { text: 'còn hộ cận nghèo thì sao?', topic: 'loan', household: 'near_poor' },
  { text: 'hộ nghèo có được cấp thẻ bảo hiểm y tế không', topic: 'health_insurance', household: 'poor' },
  { text: 'thế cận nghèo thì sao?', topic: 'health_insurance', household: 'near_poor' },
  { text: 'học phí cho con hộ nghèo được miễn không', topic: 'tuition', household: 'poor' },
  { text: 'còn hộ cận nghèo thì sao?', topic: 'tuition', household: 'near_poor' },
  { text: 'hộ nghèo vay vốn được bao nhiêu', topic: 'loan', household: 'poor' },
  { text: 'thế năm 2022?', topic: 'loan', household: 'poor' },
];

/** The answer of `/api/chat` as a test reads it. */
export interface ChatAnswer {
  status: number;
  retryAfter: string | null;
  body: { replies?: Array<{ text: string }>; topic?: string; household?: string | null; error?: string };
}

/** POSTs one message to an instance's `/api/chat`. Rejects on a network error (an instance that died). */
export async function chat(base: string, conversationId: string, text: string, timeoutMs = 30_000): Promise<ChatAnswer> {
  const res = await fetch(`${base}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ conversationId, text }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const raw = await res.text();
  let body: ChatAnswer['body'] = {};
  try {
    body = JSON.parse(raw);
  } catch {
    body = { error: raw.slice(0, 200) };
  }
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body };
}

/** GETs a path and returns its status and JSON body. */
export async function getJson(base: string, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(10_000) });
  const raw = await res.text();
  try {
    return { status: res.status, body: JSON.parse(raw) };
  } catch {
    return { status: res.status, body: raw };
  }
}

/** Runs `tasks` with at most `limit` at a time. */
export async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await task(items[i]);
    }
  });
  await Promise.all(workers);
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns whether it became true. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 200): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return true;
    } catch {
      // not yet
    }
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
