import type { Button, Reply } from '../../domain/types.ts';
import { compactSources } from '../../format/citations.ts';

/**
 * Pure rendering of channel-neutral replies into Telegram HTML (parse_mode "HTML"):
 * every dynamic string is escaped, light *emphasis* becomes <b>, citations go under the text,
 * and long texts are split under Telegram's 4096-character limit without ever cutting an entity
 * or a tag (tags open across a cut are closed at the end of one chunk and reopened in the next).
 */

/** Telegram's limit for one text message (characters after entity parsing; we count the HTML source, which is never shorter). */
export const TELEGRAM_TEXT_LIMIT = 4096;
/** Telegram's limit for a photo caption. */
export const TELEGRAM_CAPTION_LIMIT = 1024;
/** Telegram's limit for callback_data, in bytes (UTF-8). */
export const CALLBACK_DATA_MAX_BYTES = 64;

/** Escapes text for Telegram HTML text nodes (&, <, >). */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes text for a double-quoted HTML attribute value (&, <, >, "). */
export function escapeAttr(text: string): string {
  return escapeHtml(text).replace(/"/g, '&quot;');
}

/** Reverses {@link escapeHtml}/{@link escapeAttr} and drops tags: the plain text Telegram would show. */
export function htmlToPlain(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#(\d+);/g, (_m, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&amp;/g, '&');
}

// *emphasis*: opening star at line start or after space/bracket/quote, content without stars or
// line breaks that neither starts nor ends with a space, closing star before space/punctuation/end.
const EMPHASIS = /(^|[\s([{"'“‘])\*([^\s*](?:[^*\n]*[^\s*])?)\*(?=$|[\s.,;:!?)\]}"'”’…])/gmu;

/** Escapes a plain-text reply and turns light *emphasis* into bold. */
export function renderText(text: string): string {
  const normalized = text.normalize('NFC').replace(/\r\n?/g, '\n');
  return escapeHtml(normalized).replace(EMPHASIS, (_m, pre: string, inner: string) => `${pre}<b>${inner}</b>`);
}

/** Only absolute http(s) URLs become links. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

/** The whole reply (text + citations) as one HTML string, before splitting. */
export function renderReplyHtml(reply: Pick<Reply, 'text' | 'citations'>): string {
  const parts: string[] = [];
  const body = renderText(reply.text ?? '').trim();
  if (body) parts.push(body);
  // One short source line (the full references are behind the "Căn cứ pháp lý" button).
  const sources = compactSources(reply.citations?.filter((c) => c?.instrument?.trim()));
  if (sources) parts.push(escapeHtml(sources));
  return parts.join('\n\n');
}

/** A reply rendered into message chunks, each within {@link TELEGRAM_TEXT_LIMIT}. */
export function renderReply(reply: Pick<Reply, 'text' | 'citations'>, limit = TELEGRAM_TEXT_LIMIT): string[] {
  const html = renderReplyHtml(reply);
  return html ? splitHtml(html, limit) : [];
}

/** A photo caption from the image's alt text (escaped, within Telegram's caption limit). */
export function renderCaption(alt: string | undefined): string | undefined {
  const text = (alt ?? '').trim();
  if (!text) return undefined;
  const cut = [...text].length > 1000 ? `${[...text].slice(0, 999).join('')}…` : text;
  return escapeHtml(cut);
}

// ---------------------------------------------------------------------------------------------
// Splitting

interface Token {
  s: string;
  kind: 'text' | 'tag' | 'entity';
  /** For tags: lower-case name; `close` for </x>. */
  name?: string;
  close?: boolean;
}

const TOKEN = /<\/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?>|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);|[\s\S]/gu;

function tokenize(html: string): Token[] {
  const out: Token[] = [];
  for (const m of html.matchAll(TOKEN)) {
    const s = m[0];
    if (s.length > 1 && s[0] === '<') {
      const tm = /^<(\/?)([A-Za-z][A-Za-z0-9-]*)/.exec(s)!;
      out.push({ s, kind: 'tag', name: tm[2].toLowerCase(), close: tm[1] === '/' });
    } else if (s.length > 1 && s[0] === '&') {
      out.push({ s, kind: 'entity' });
    } else {
      out.push({ s, kind: 'text' });
    }
  }
  return out;
}

interface OpenTag {
  name: string;
  open: string;
}
type Stack = readonly OpenTag[];

function applyTag(stack: Stack, t: Token): Stack {
  if (t.kind !== 'tag') return stack;
  if (!t.close) return [...stack, { name: t.name!, open: t.s }];
  const idx = stack.map((o) => o.name).lastIndexOf(t.name!);
  return idx < 0 ? stack : [...stack.slice(0, idx), ...stack.slice(idx + 1)];
}

const closers = (stack: Stack): string =>
  [...stack]
    .reverse()
    .map((o) => `</${o.name}>`)
    .join('');
const closeLen = (stack: Stack): number => stack.reduce((n, o) => n + o.name.length + 3, 0);
const openers = (stack: Stack): string => stack.map((o) => o.open).join('');

const isSpace = (t: Token | undefined) => !!t && t.kind === 'text' && /^\s$/u.test(t.s);
const isNewline = (t: Token | undefined) => !!t && t.kind === 'text' && t.s === '\n';

type BreakKind = 0 | 1 | 2 | 3; // 3 paragraph, 2 line, 1 space, 0 anywhere between tokens

/**
 * Splits Telegram HTML into chunks of at most `limit` characters (HTML source length), preferring
 * paragraph boundaries ("\n\n"), then line breaks, then spaces, then any position between tokens.
 * Entities and tags are never cut; a tag open at a cut is closed in the chunk and reopened in the next.
 */
export function splitHtml(html: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  if (html.length <= limit) return html.trim() ? [html] : [];
  const toks = tokenize(html);
  const chunks: string[] = [];
  let i = 0;
  let stack: Stack = [];
  while (i < toks.length) {
    while (i < toks.length && isSpace(toks[i])) i++; // whitespace at a cut is dropped
    if (i >= toks.length) break;
    const prefix = openers(stack);
    let len = prefix.length;
    let cur = stack;
    const best: Array<{ at: number; stack: Stack } | undefined> = [undefined, undefined, undefined, undefined];
    let j = i;
    for (; j < toks.length; j++) {
      const t = toks[j];
      if (j > i) {
        const prev = toks[j - 1];
        let kind: BreakKind = 0;
        if (isNewline(t) && (isNewline(toks[j + 1]) || isNewline(prev))) kind = 3;
        else if (isNewline(t)) kind = 2;
        else if (isSpace(t)) kind = 1;
        // Never end a chunk right after an opening tag (it would leave an empty element).
        const afterOpen = prev.kind === 'tag' && !prev.close;
        if (!afterOpen) best[kind] = { at: j, stack: cur };
      }
      const next = applyTag(cur, t);
      const nextLen = len + t.s.length;
      if (nextLen + closeLen(next) > limit) break;
      len = nextLen;
      cur = next;
    }
    if (j >= toks.length) {
      const body = toks
        .slice(i)
        .map((t) => t.s)
        .join('');
      const chunk = (prefix + body).replace(/\s+$/u, '') + closers(cur);
      if (htmlToPlain(chunk).trim()) chunks.push(chunk);
      break;
    }
    let cut = best[3] ?? best[2] ?? best[1] ?? best[0];
    // No usable break (a single token longer than the limit, or only opening tags so far): cut where we are.
    if (!cut) cut = j === i ? { at: i + 1, stack: applyTag(cur, toks[i]) } : { at: j, stack: cur };
    const body = toks
      .slice(i, cut.at)
      .map((t) => t.s)
      .join('');
    const chunk = (prefix + body).replace(/\s+$/u, '') + closers(cut.stack);
    if (htmlToPlain(chunk).trim()) chunks.push(chunk);
    stack = cut.stack;
    i = cut.at;
  }
  return chunks;
}

// ---------------------------------------------------------------------------------------------
// Keyboards

/** One inline keyboard button as the Bot API takes it. */
export interface InlineButton {
  text: string;
  callback_data: string;
}

/**
 * Lays buttons out as an inline keyboard: two per row when all labels are short, otherwise one per
 * row. `encode` turns a payload into callback_data of at most 64 bytes.
 */
export function buildKeyboard(buttons: Button[] | undefined, encode: (payload: string) => string): InlineButton[][] | undefined {
  const list = (buttons ?? []).filter((b) => b?.label?.trim() && typeof b.payload === 'string' && b.payload.length > 0).slice(0, 40);
  if (!list.length) return undefined;
  const short = list.every((b) => [...b.label.trim()].length <= 18);
  const perRow = short && list.length > 2 ? 2 : 1;
  const rows: InlineButton[][] = [];
  for (let k = 0; k < list.length; k += perRow) {
    rows.push(list.slice(k, k + perRow).map((b) => ({ text: b.label.trim().slice(0, 120), callback_data: encode(b.payload) })));
  }
  return rows;
}
