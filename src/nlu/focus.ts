/**
 * Question focus for long messages. Residents write letters: circumstances first, the question last,
 * sometimes two or three questions; voters write petitions ("Cử tri xã … đề nghị …"). The sentences
 * that ask or request weigh most for the topic; the circumstances still supply household, place and year.
 * Works on folded text (no diacritics), with punctuation kept.
 */

/** One sentence of a message, and whether it asks or requests something. */
export interface Sentence {
  text: string;
  asks: boolean;
}

// Words that make a sentence a question or a request, anywhere in it (folded).
const ASKING =
  /\b(khong|chua|bao nhieu|bao lau|bao gio|khi nao|the nao|nhu the nao|lam sao|lam the nao|o dau|cho nao|gi|ai|sao|nao|co duoc|duoc khong|phai khong|dung khong|hay khong|xin hoi|cho hoi|hoi ve|muon hoi|nho|giup|huong dan|tu van|de nghi|kien nghi|mong|xin|can biet|muon biet|the nao|ra sao)\b/;
// Opening words of a statement of circumstances rather than a question.
const NARRATIVE_START =
  /^(toi|em|chau|nha toi|nha em|gia dinh|bo toi|me toi|chong toi|vo toi|con toi|ba toi|ong toi|hien nay|hien tai|nam nay|truoc day)\b/;

/** Splits a folded message into sentences (on . ! ? ; and line breaks, keeping decimals like "1,5"). */
export function splitSentences(folded: string): Sentence[] {
  const parts = folded
    .replace(/(\d)[.,](\d)/g, '$1\u0001$2')
    .split(/[.!?;\n]+|\s-\s/)
    .map((s) => s.replace(/\u0001/g, ',').trim())
    .filter((s) => s.length > 0);
  return parts.map((text, i) => {
    const hadMark = folded.includes(`${text}?`);
    const asks = hadMark || (ASKING.test(text) && !(NARRATIVE_START.test(text) && i < parts.length - 1 && !/\?$/.test(text)));
    return { text, asks };
  });
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
