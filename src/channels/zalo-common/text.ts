import type { Button, Reply } from '../../domain/types.ts';
import { compactSources } from '../../format/citations.ts';

/**
 * Plain-text rendering shared by the Zalo adapters (OA and Bot Platform): neither surface renders
 * markup, and neither offers reliable buttons on the message types we use, so choices become a
 * numbered list the resident answers with the number.
 */

/** Largest text accepted by Zalo in one message (OA `/message/cs` and Bot Platform `sendMessage`). */
export const ZALO_MAX_TEXT = 2000;

/** Removes the light `*emphasis*` markers the core may use (Zalo shows plain text only). */
export function stripEmphasis(text: string): string {
  return text.replace(/\*(\S(?:[^*\n]*\S)?)\*/g, '$1');
}

/** "Trả lời bằng số:" followed by one numbered line per choice. */
export function renderChoices(buttons: Button[]): string {
  if (buttons.length === 0) return '';
  // Choices that are numbers ("2 người", "3 người") are answered with the value itself.
  if (buttons.some((b) => /^\d+\b/.test(b.label.trim())))
    return ['Trả lời bằng cách gõ:', ...buttons.map((b) => `• ${b.label}`)].join('\n');
  return ['Trả lời bằng số:', ...buttons.map((b, i) => `${i + 1}. ${b.label}`)].join('\n');
}

/** A turn's replies as Zalo plain text. */
export interface RenderedTurn {
  /** Answer text with citations (everything but the choices). */
  body: string;
  /** The numbered choices block ('' when there are none); kept whole and sent last. */
  footer: string;
  /** The choices in the order they are numbered. */
  choices: Button[];
}

/**
 * Renders all replies of one turn as one text: each reply's text, its "Nguồn:" lines, then one
 * numbered list of every distinct choice offered (by payload) at the end.
 */
export function renderTurn(replies: Reply[]): RenderedTurn {
  const blocks: string[] = [];
  const choices: Button[] = [];
  const seen = new Set<string>();
  for (const reply of replies) {
    const lines: string[] = [];
    const text = stripEmphasis(reply.text ?? '').trim();
    if (text) lines.push(text);
    // One short source line (the full references are behind the "Căn cứ pháp lý" choice).
    const sources = compactSources(reply.citations);
    if (sources) lines.push(sources);
    if (lines.length) blocks.push(lines.join('\n'));
    for (const b of reply.buttons ?? []) {
      if (seen.has(b.payload)) continue;
      seen.add(b.payload);
      choices.push(b);
    }
  }
  return { body: blocks.join('\n\n').normalize('NFC'), footer: renderChoices(choices).normalize('NFC'), choices };
}

/** Length as Zalo is assumed to count it: UTF-16 units (never fewer than code points, so always safe). */
function len(s: string): number {
  return s.length;
}

/** Cuts `s` to at most `max` UTF-16 units without splitting a surrogate pair. */
function hardCut(s: string, max: number): [string, string] {
  let cut = max;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return [s.slice(0, cut), s.slice(cut)];
}

/** Splits one over-long piece at the best boundary available: sentence end, then space, then anywhere. */
function splitPiece(piece: string, max: number): string[] {
  const out: string[] = [];
  let rest = piece;
  while (len(rest) > max) {
    const window = rest.slice(0, max + 1);
    let at = -1;
    const sentence = /[.!?…;:](\s)/g;
    for (let m = sentence.exec(window); m; m = sentence.exec(window)) {
      if (m.index + 1 <= max) at = m.index + 1;
    }
    if (at < max / 2) {
      const space = window.lastIndexOf(' ', max);
      if (space > max / 2) at = space;
    }
    let head: string;
    if (at > 0) {
      head = rest.slice(0, at);
      rest = rest.slice(at).replace(/^\s+/, '');
    } else {
      [head, rest] = hardCut(rest, max);
    }
    out.push(head.trimEnd());
  }
  if (rest.trim()) out.push(rest);
  return out;
}

/**
 * Splits text into as few messages of at most `max` characters as possible, breaking at paragraph
 * boundaries first, then line boundaries, then sentences or spaces; never loses text.
 */
export function splitText(text: string, max = ZALO_MAX_TEXT): string[] {
  const clean = text.replace(/\r\n?/g, '\n').trim();
  if (!clean) return [];
  if (len(clean) <= max) return [clean];
  // Atomic units, each with the separator that precedes it.
  const units: Array<{ sep: string; text: string }> = [];
  const paragraphs = clean.split(/\n{2,}/);
  paragraphs.forEach((p, pi) => {
    const lines = p.split('\n');
    lines.forEach((line, li) => {
      const sep = li > 0 ? '\n' : pi > 0 ? '\n\n' : '';
      if (len(line) <= max) units.push({ sep, text: line });
      else splitPiece(line, max).forEach((part, k) => units.push({ sep: k === 0 ? sep : ' ', text: part }));
    });
  });
  const chunks: string[] = [];
  let current = '';
  for (const u of units) {
    if (!current) {
      current = u.text;
      continue;
    }
    const joined = current + u.sep + u.text;
    if (len(joined) <= max) current = joined;
    else {
      chunks.push(current.trim());
      current = u.text;
    }
  }
  if (current.trim()) chunks.push(current.trim());
  return chunks.filter(Boolean);
}

/** Last line added when an answer is cut to fit the message budget. */
export const MORE_NOTE = '(Câu trả lời còn dài. Anh/chị vui lòng hỏi cụ thể hơn để em trả lời tiếp ạ.)';

/**
 * Packs a rendered turn into at most `maxMessages` messages of at most `max` characters:
 * body split on paragraph/line boundaries, the choices footer kept whole in the last message.
 * When the body does not fit the budget, it is cut and {@link MORE_NOTE} is added.
 */
export function packMessages(
  rendered: Pick<RenderedTurn, 'body' | 'footer'>,
  opts: { max?: number; maxMessages?: number; moreNote?: string } = {},
): string[] {
  const max = opts.max ?? ZALO_MAX_TEXT;
  const cap = Math.max(1, opts.maxMessages ?? 4);
  const note = opts.moreNote ?? MORE_NOTE;
  const footer = rendered.footer.trim() ? splitText(rendered.footer, max).join('\n') : '';
  const full = [rendered.body.trim(), footer].filter(Boolean).join('\n\n');
  const all = splitText(full, max);
  if (all.length <= cap) return all;
  // Too long for the budget: keep what fits of the body, then the note and the choices.
  const tail = [note, footer].filter(Boolean).join('\n\n');
  const bodyChunks = splitText(rendered.body, max);
  const kept = bodyChunks.slice(0, cap);
  let last = kept.pop() ?? '';
  const room = max - len(tail) - 2;
  if (len(last) > room) {
    // Cut the last kept chunk at a line or sentence boundary so the tail fits.
    const parts = splitText(last, Math.max(1, room));
    last = parts[0] ?? '';
  }
  const end = [last, tail].filter(Boolean).join('\n\n');
  const out = [...kept, ...splitText(end, max)];
  return out.slice(0, cap);
}

/**
 * Interprets "1", "2." or "số 2" as the index of a numbered choice (or, when the choices are numbers,
 * as that value), or a choice typed out in full; returns the button or undefined.
 */
export function pickChoice(text: string, choices: Button[] | undefined): Button | undefined {
  if (!choices || choices.length === 0) return undefined;
  const t = text.normalize('NFC').trim().toLowerCase();
  const m = /^(?:số\s*|so\s*|#)?(\d{1,2})\s*[.)]?$/.exec(t);
  if (m) {
    const n = Number(m[1]);
    // When the choices are themselves numbers ("2 người", "3 người"…), a typed number is that value,
    // not a position in the list; if no choice carries it, the text goes to the core as typed.
    const valued = choices.filter((b) => /^\d+\b/.test(b.label.trim()));
    if (valued.length) return valued.find((b) => Number(/^\d+/.exec(b.label.trim())![0]) === n);
    return n >= 1 && n <= choices.length ? choices[n - 1] : undefined;
  }
  return choices.find((b) => b.label.normalize('NFC').trim().toLowerCase() === t);
}
