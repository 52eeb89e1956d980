/**
 * Question focus for long messages. Residents write letters: circumstances first, the question last,
 * sometimes two or three questions; voters write petitions ("Cử tri xã … đề nghị …"). The sentences
 * that ask or request weigh most for the topic; the circumstances still supply household, place and year.
 * Works on folded text (no diacritics), with punctuation kept.
 */

/** One sentence of a message, where it stands in the text, and whether it asks or requests something. */
export interface Sentence {
  text: string;
  asks: boolean;
  /** Offsets in the string given to {@link splitSentences}. */
  start: number;
  end: number;
}

// Words that make a sentence a question or a request, anywhere in it (folded).
const ASKING =
  /\b(khong|chua|bao nhieu|bao lau|bao gio|khi nao|the nao|nhu the nao|lam sao|lam the nao|o dau|cho nao|gi|ai|sao|nao|co duoc|duoc khong|phai khong|dung khong|hay khong|xin hoi|cho hoi|hoi ve|muon hoi|nho|giup|huong dan|tu van|de nghi|kien nghi|mong|xin|can biet|muon biet|ra sao)\b/;
// Opening words of a statement of circumstances rather than a question.
const NARRATIVE_START =
  /^(toi|em|chau|nha toi|nha em|gia dinh|bo toi|me toi|chong toi|vo toi|con toi|ba toi|ong toi|hien nay|hien tai|nam nay|truoc day)\b/;
// A comma after a closing question word ends a question: "… miễn học phí không, thẻ bhyt làm ở đâu".
const CLOSING_COMMA = /\b(khong|chua|ko|hong|hok|nao|sao|gi|dau|bao nhieu|the nao|ra sao|duoc khong),/g;
const BOUNDARY = /[.!?;\n]+|\s-\s/g;

/**
 * Splits a folded message into sentences (on . ! ? ; line breaks, and a comma that closes a question),
 * keeping decimals like "1,5". Offsets refer to the given string, so the same split can be applied to
 * the original text when it has the same length (folding keeps lengths).
 */
export function splitSentences(folded: string): Sentence[] {
  const marked = folded.replace(/(\d)[.,](\d)/g, '$1\u0001$2').replace(CLOSING_COMMA, '$1?');
  const pieces: Array<{ start: number; end: number }> = [];
  let from = 0;
  for (const m of marked.matchAll(BOUNDARY)) {
    pieces.push({ start: from, end: m.index ?? 0 });
    from = (m.index ?? 0) + m[0].length;
  }
  pieces.push({ start: from, end: marked.length });
  const out: Sentence[] = [];
  const kept = pieces
    .map((p) => {
      const raw = folded.slice(p.start, p.end);
      const lead = raw.length - raw.trimStart().length;
      const text = raw.trim();
      return { text, start: p.start + lead, end: p.start + lead + text.length };
    })
    .filter((p) => p.text.length > 0);
  kept.forEach((p, i) => {
    const hadMark = marked.charAt(p.end) === '?' || marked.slice(p.end).trimStart().startsWith('?');
    const asks = hadMark || (ASKING.test(p.text) && !(NARRATIVE_START.test(p.text) && i < kept.length - 1 && !hadMark));
    out.push({ ...p, asks });
  });
  return out;
}

/**
 * The part of a message that carries its question: the asking sentences (all of them, in order), or
 * the last sentence when none asks. For a short message this is the message itself.
 */
export function questionFocus(folded: string): string {
  const sentences = splitSentences(folded);
  if (sentences.length <= 1) return folded.trim();
  const asking = sentences.filter((s) => s.asks);
  return (asking.length ? asking : sentences.slice(-1)).map((s) => s.text).join('. ');
}

/** The asking sentences of a message, each on its own (a message may ask two or three things). */
export function questionSentences(folded: string): string[] {
  return splitSentences(folded)
    .filter((s) => s.asks)
    .map((s) => s.text);
}
