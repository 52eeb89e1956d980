/**
 * Masks residents' personal data in free text before it is logged or stored: Vietnamese citizen ID
 * numbers (CCCD, 12 digits; old CMND, 9 digits), phone numbers, e-mail addresses, bank account and
 * card numbers, and other long numbers. Amounts of money, dates, years, percentages, decree numbers
 * and household facts are left alone, because the bot reads the masked text back (remembered
 * household facts, the editors' inbox) and must still understand it.
 *
 * Why a hand-written scanner rather than regular expressions: the text comes from anyone on the
 * internet, and an e-mail regex with overlapping quantifiers took 1.2 s on 30 KB of "ả" (quadratic
 * backtracking). Here the text is folded and tokenised once (text-view.ts), then every detector
 * looks at a bounded number of tokens from each candidate position, so the whole pass is linear in
 * the length of the input, which is itself capped (MAX_MASK_INPUT).
 *
 * Formats, besides plain digits: groups separated by spaces, ".", ",", "-", "/" or "_"
 * ("079/203/001/240"), full-width or other-script digits, zero-width characters inside a number,
 * digits spelled out in Vietnamese ("không chín một hai…"), "+84"/"(+84)"/"(028)" prefixes, obfuscated
 * e-mails ("le.c @ gmail.com", "le(at)gmail(dot)com", "le [at] gmail [dot] com", "le a còng gmail chấm
 * com", "pham@localhost"), and numbers made personal by a keyword before them ("cccd", "sđt", "stk",
 * "mst", a bank name…) or a bank name after them ("chuyển vào 87654321 bidv").
 */

import * as textView from './text-view.ts';
import * as lexicon from './mask-lexicon.ts';

type TextView = textView.TextView;
type KeywordClass = lexicon.KeywordClass;

// Imported bindings copied into local constants: the scanning loops read them for every token, and
// some module loaders (vitest's, for one) turn each read of an imported binding into a getter call,
// which made the scan several times slower there.
const { buildView, DIGITS, WORD, SPACE, PUNCT } = textView;
const { BANK_FILLERS, BANK_NAMES, KEYWORDS, MAX_KEYWORD_WORD, MONEY_UNITS, SPELLED_DIGITS, TLDS } = lexicon;

/**
 * Longest text masked as a whole, in UTF-16 code units. Callers pass at most 64 KB; anything longer is
 * cut (its head and its tail are kept, cut at white space) so the cost stays bounded whatever comes in.
 */
export const MAX_MASK_INPUT = 65_536;
const HEAD_KEPT = 49_152;
const CUT_MARK = ' ... ';

const CCCD = '[CCCD]';
const PHONE = '[SĐT]';
const EMAIL = '[EMAIL]';
const ACCOUNT = '[STK]';
const NUMBER = '[SỐ]';

/** Most digits of an amount written without thousands separators ("1500000000 đồng"). */
const MAX_PLAIN_AMOUNT_DIGITS = 10;
/** Fewest digits of anything masked (an account number after "stk"). */
const MIN_MASKED_DIGITS = 6;
/** Most digits a masked number can have when made of several groups (card numbers have up to 19). */
const MAX_DIGITS = 19;
/** Words and tokens a keyword reaches over ("số căn cước công dân của tôi là 0792…"). */
const KEYWORD_WORDS = 6;
const KEYWORD_TOKENS = 20;
/** Longest local part and domain label of an e-mail address (RFC 5321). */
const MAX_LOCAL = 64;
const MAX_LABEL = 63;
const MAX_LABELS = 10;

const C_AT = 0x40;
const C_DOT = 0x2e;
const C_PLUS = 0x2b;
const C_OPEN = 0x28;
const C_CLOSE = 0x29;
const C_PERCENT = 0x25;
const C_HYPHEN = 0x2d;
const C_SLASH = 0x2f;
const C_COMMA = 0x2c;
/** Character classes of ASCII punctuation, as bit flags (looked up by code, no strings built). */
const P_OPEN = 1; // ( [ { <
const P_CLOSE = 2; // ) ] } >
const P_GROUP = 4; // separators between the digit groups of one number: . , - / _
const P_LOCAL = 8; // punctuation inside the local part of an e-mail address: . _ - + %
const P_BEFORE_BANK = 16; // between a number and a following bank name: ( - :
const PUNCT_CLASS = new Uint8Array(128);
for (const [chars, flag] of [
  ['([{<', P_OPEN],
  [')]}>', P_CLOSE],
  ['.,-/_', P_GROUP],
  ['._-+%', P_LOCAL],
  ['(-:', P_BEFORE_BANK],
] as const) {
  for (const ch of chars) PUNCT_CLASS[ch.charCodeAt(0)] |= flag;
}
/** The closing bracket matching an opening one. */
function closerOf(open: number): number {
  return open === 0x28 ? 0x29 : open === 0x5b ? 0x5d : open === 0x7b ? 0x7d : 0x3e;
}

/**
 * Returns `text` with personal identifiers replaced by placeholders ([CCCD], [SĐT], [EMAIL], [STK],
 * [SỐ]) and everything else unchanged.
 *
 * Why: messages are logged, remembered between turns and kept in the editors' inbox; none of these may
 * hold a resident's ID, phone, e-mail or account number. Runs in time linear in the input (at most
 * MAX_MASK_INPUT code units are looked at), so a hostile message cannot stall the server.
 */
export function maskPersonalData(text: string): string {
  if (!text) return text;
  const parts = clip(text);
  const scanner = new Scanner(buildView(parts));
  scanner.findEmails();
  scanner.findNumbers();
  return scanner.render(parts);
}

/**
 * Keeps the head and the tail of an over-long text, cut at white space so no number is cut in two;
 * returns the parts to mask, in order.
 */
function clip(text: string): string[] {
  if (text.length <= MAX_MASK_INPUT) return [text];
  let headEnd = HEAD_KEPT;
  let tailStart = text.length - (MAX_MASK_INPUT - HEAD_KEPT - CUT_MARK.length);
  for (let i = headEnd, stop = headEnd - 256; i > stop; i--) {
    if (isBlank(text.charCodeAt(i - 1))) {
      headEnd = i - 1;
      break;
    }
  }
  for (let i = tailStart, stop = tailStart + 256; i < stop; i++) {
    if (isBlank(text.charCodeAt(i))) {
      tailStart = i + 1;
      break;
    }
  }
  // Without white space near the cut, cut outside the digits there, and never through a surrogate pair.
  for (let n = 0; n < 64 && headEnd > 0 && isDigitLike(text.charCodeAt(headEnd - 1)); n++) headEnd--;
  for (let n = 0; n < 64 && tailStart < text.length && isDigitLike(text.charCodeAt(tailStart)); n++) tailStart++;
  if ((text.charCodeAt(headEnd - 1) & 0xfc00) === 0xd800) headEnd--;
  if ((text.charCodeAt(tailStart) & 0xfc00) === 0xdc00) tailStart++;
  return [text.slice(0, headEnd), CUT_MARK, text.slice(tailStart)];
}

/** Digits (ASCII or full-width), invisible characters and separators found inside numbers. */
function isDigitLike(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0xff10 && c <= 0xff19) ||
    (c >= 0x200b && c <= 0x200d) ||
    c === 0x2060 ||
    c === 0xfeff ||
    c === 0x2c ||
    c === 0x2d ||
    c === 0x2e ||
    c === 0x2f ||
    c === 0x5f
  );
}

function isBlank(c: number): boolean {
  return (
    c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029
  );
}

interface Span {
  from: number;
  to: number;
  label: string;
}

/** Flags of a digit group ("unit") of a candidate number. */
const F_SPELLED = 1; // a digit spelled out: "chín"
const F_TOKEN = 2; // digits written as digits
const F_PLUS = 4; // "+84…"
const F_PREFIX = 8; // "+84" or "(028)": the separator after it may differ from the others
const F_YEAR = 16; // 19xx or 20xx
const F_ROUND = 32; // ends with 0000: a round amount
const F_IN_AMOUNT = 64; // a group inside a thousands-grouped amount ("500" in "1.500.000"): no number starts there
const F_AMOUNT_END = 128; // the last group of such an amount: a number starting there may not mix separators
/** Separator code after a prefix unit. */
const SEP_PREFIX = 1;

/**
 * The digit groups ("units") of the run being classified, as parallel arrays reused from call to call:
 * a run of 30,000 groups must not cost 30,000 objects. Valid only during one maskPersonalData call
 * (which is synchronous, so calls cannot interleave).
 */
const units = {
  size: 0,
  from: new Int32Array(0), // range in the folded text, including a leading "(" or "+"
  to: new Int32Array(0),
  last: new Int32Array(0), // last token of the unit
  digits: new Int32Array(0),
  d0: new Int8Array(0), // first three digits, -1 when absent
  d1: new Int8Array(0),
  d2: new Int8Array(0),
  flags: new Uint8Array(0),
  sep: new Uint16Array(0), // separator between unit i and unit i + 1: a character code or SEP_PREFIX
};

/** Grows the unit arrays to hold at least `capacity` units, keeping the units already read. */
function ensureUnits(capacity: number): void {
  if (units.size >= capacity) return;
  const size = Math.max(capacity, units.size * 2, 256);
  const grow = <T extends Int32Array | Int8Array | Uint8Array | Uint16Array>(old: T, make: (n: number) => T): T => {
    const next = make(size);
    next.set(old);
    return next;
  };
  units.size = size;
  units.from = grow(units.from, (n) => new Int32Array(n));
  units.to = grow(units.to, (n) => new Int32Array(n));
  units.last = grow(units.last, (n) => new Int32Array(n));
  units.digits = grow(units.digits, (n) => new Int32Array(n));
  units.d0 = grow(units.d0, (n) => new Int8Array(n));
  units.d1 = grow(units.d1, (n) => new Int8Array(n));
  units.d2 = grow(units.d2, (n) => new Int8Array(n));
  units.flags = grow(units.flags, (n) => new Uint8Array(n));
  units.sep = grow(units.sep, (n) => new Uint16Array(n));
}

let claimedScratch = new Uint8Array(1024);

/** Shape of the candidate number made of units[i..j] of a run. */
interface Shape {
  n: number;
  d0: number;
  d1: number;
  d2: number;
  groups: number;
  lens: [number, number, number];
  /** The separator between the groups (a character code), 0 while there is one group. */
  sep: number;
  /** Every group before the last has at least three digits. */
  wideGroups: boolean;
  /** A group other than the first and the last has fewer than three digits. */
  narrowInside: boolean;
  /** A group has three digits or more. */
  wideSeen: boolean;
  /** All groups have as many digits as the first. */
  uniform: boolean;
  /** Spaces, dots and dashes are mixed between the groups. */
  mixed: boolean;
  /** A group before the last, other than a "+84"/"(028)" prefix, has fewer than three digits. */
  narrowPlain: boolean;
  /** A group other than the first has a single digit. */
  singleInside: boolean;
  /** Shaped like a date ("31/12/2023", "2023-12-31"): never masked. */
  date: boolean;
  /** Every group after the first has exactly three digits (thousands grouping). */
  thousands: boolean;
  allFour: boolean;
  allYears: boolean;
  spelled: boolean;
  plus: boolean;
  round: boolean;
  last: boolean;
}

class Scanner {
  private readonly v: TextView;
  private readonly claimed: Uint8Array;
  private readonly emails: Span[] = [];
  private readonly numbers: Span[] = [];

  constructor(view: TextView) {
    this.v = view;
    if (claimedScratch.length < view.count) claimedScratch = new Uint8Array(Math.max(view.count, claimedScratch.length * 2));
    this.claimed = claimedScratch.subarray(0, view.count);
    this.claimed.fill(0);
  }

  // ---- token helpers -------------------------------------------------------------------------

  private code(t: number): number {
    return this.v.text.charCodeAt(this.v.start[t]);
  }

  private isPunct(t: number, c: number): boolean {
    return t >= 0 && t < this.v.count && this.v.kind[t] === PUNCT && this.code(t) === c && !this.claimed[t];
  }

  /** A short run of white space without a line break. */
  private isSpace(t: number, max = 2): boolean {
    const v = this.v;
    if (t < 0 || t >= v.count || v.kind[t] !== SPACE || this.claimed[t]) return false;
    const s = v.start[t];
    const e = v.end[t];
    if (e - s > max) return false;
    for (let i = s; i < e; i++) if (v.text.charCodeAt(i) === 0x0a) return false;
    return true;
  }

  /** The folded word at token t, or null when t is not a word short enough to be in the lexicon. */
  private word(t: number): string | null {
    const v = this.v;
    if (t < 0 || t >= v.count || v.kind[t] !== WORD || this.claimed[t]) return null;
    if (v.end[t] - v.start[t] > MAX_KEYWORD_WORD) return null;
    return v.text.slice(v.start[t], v.end[t]);
  }

  private spelledDigit(t: number): number {
    const w = this.word(t);
    return w === null ? -1 : (SPELLED_DIGITS.get(w) ?? -1);
  }

  // ---- e-mail addresses --------------------------------------------------------------------------

  /** Finds e-mail addresses around every "@" or spelled-out "at"; each is looked at once, over a bounded window. */
  findEmails(): void {
    const v = this.v;
    const kinds = v.kind;
    for (let t = 0; t < v.count; t++) {
      // Markers start with punctuation or with the letter "a": skip everything else cheaply.
      if (kinds[t] !== PUNCT && (kinds[t] !== WORD || this.code(t) !== 0x61)) continue;
      const markerLast = this.atMarker(t);
      if (markerLast < 0) continue;
      const mode = this.mode;
      // The domain first: after most "@" in hostile or ordinary text there is none.
      const last = this.scanDomain(markerLast + 1, mode, this.isSpace(t - 1));
      if (last < 0) continue;
      const from = this.scanLocal(t - 1, mode);
      if (from < 0) continue;
      this.emails.push({ from, to: v.end[last], label: EMAIL });
      for (let k = this.localToken; k <= last; k++) this.claimed[k] = 1;
      t = last;
    }
  }

  // Second results of the e-mail helpers (kept in fields so the hot loop allocates nothing).
  private mode: AtMode = 'tight';
  private localToken = -1;
  private dotSpaced = false;

  /**
   * "@" (tight), "(at)"/"[at]"/"{at}"/"<at>" (bracket), or " at " / " a còng " between spaces (spelled):
   * the index of the marker's last token, or -1; the kind of marker goes to `this.mode`.
   */
  private atMarker(t: number): number {
    const v = this.v;
    if (this.claimed[t]) return -1;
    const kind = v.kind[t];
    if (kind === PUNCT) {
      const c = this.code(t);
      if (c === C_AT) {
        this.mode = 'tight';
        return t;
      }
      if ((PUNCT_CLASS[c] & P_OPEN) === 0) return -1;
      this.mode = 'bracket';
      return this.bracketed(t, 'at');
    }
    // Cheap tests first: most words are neither "at" nor "a".
    if (kind !== WORD || this.code(t) !== 0x61 || v.end[t] - v.start[t] > 2 || !this.isSpace(t - 1) || !this.isSpace(t + 1)) return -1;
    this.mode = 'spelled';
    const w = this.word(t);
    if (w === 'at') return t;
    if (w === 'a' && this.word(t + 2) === 'cong' && this.isSpace(t + 3)) return t + 2;
    return -1;
  }

  /** "(at)", "[ at ]", "(dot)", "[.]": the index of the closing bracket, or -1. */
  private bracketed(t: number, inner: 'at' | 'dot'): number {
    if (t < 0 || t >= this.v.count || this.v.kind[t] !== PUNCT || this.claimed[t]) return -1;
    const open = this.code(t);
    if ((PUNCT_CLASS[open] & P_OPEN) === 0) return -1;
    let k = t + 1;
    if (this.isSpace(k, 1)) k++;
    if (this.word(k) === inner || (inner === 'dot' && this.isPunct(k, C_DOT))) k++;
    else return -1;
    if (this.isSpace(k, 1)) k++;
    return this.isPunct(k, closerOf(open)) ? k : -1;
  }

  /**
   * The local part ending at token `t`, scanning leftwards over at most MAX_LOCAL characters (plus the
   * token crossing that limit): its start in the folded text, or -1; its first token goes to
   * `this.localToken`.
   */
  private scanLocal(t: number, mode: AtMode): number {
    const v = this.v;
    let k = t;
    if (this.isSpace(k)) k--;
    else if (mode === 'spelled') return -1;
    if (k < 0) return -1;
    const limit = v.end[k] - MAX_LOCAL;
    let from = -1;
    while (k >= 0 && !this.claimed[k]) {
      const kind = v.kind[k];
      if (kind === WORD || kind === DIGITS) {
        // A token reaching past the limit is masked whole (it costs nothing more) but ends the scan.
        from = v.start[k];
        this.localToken = k;
        if (from <= limit) break;
        k--;
        continue;
      }
      if (kind === PUNCT && v.start[k] > limit) {
        const c = PUNCT_CLASS[this.code(k)];
        if ((c & P_LOCAL) !== 0) {
          k--;
          continue;
        }
        // "le(dot)d(at)gmail(dot)com"
        if ((c & P_CLOSE) !== 0 && this.word(k - 1) === 'dot' && this.bracketed(k - 2, 'dot') === k) {
          k -= 3;
          continue;
        }
      }
      break;
    }
    return from;
  }

  /** The domain starting at token `t`: the index of its last token, or -1 when there is none. */
  private scanDomain(t: number, mode: AtMode, spacedBefore: boolean): number {
    const v = this.v;
    let k = t;
    let spaced = spacedBefore;
    if (this.isSpace(k)) {
      k++;
      spaced = true;
    } else if (mode === 'spelled') return -1;
    let needTld = mode === 'spelled';
    let good = -1;
    for (let labels = 1; labels <= MAX_LABELS; labels++) {
      // A label: letters, digits and inner hyphens.
      const first = k;
      let last = -1;
      while (k < v.count && !this.claimed[k] && v.start[k] - v.start[first] < MAX_LABEL) {
        const kind = v.kind[k];
        if (kind === WORD || kind === DIGITS) last = k;
        else if (!(kind === PUNCT && this.code(k) === C_HYPHEN)) break;
        k++;
      }
      if (last < 0) break;
      if (last === first && v.kind[first] === WORD && v.end[first] - v.start[first] >= 2) {
        // Only a label of letters can end a domain: ".com", not ".c0m5".
        if (labels >= 2) {
          const tld = this.word(first);
          if (!needTld || (tld !== null && TLDS.has(tld))) good = last;
        } else if (mode === 'tight' && !spaced) good = last; // "pham@localhost"
      }
      const next = this.dotMarker(last + 1);
      if (next < 0) break;
      if (this.dotSpaced) needTld = true;
      k = next;
    }
    return good;
  }

  /**
   * ".", "(dot)", " [dot] ", " dot ", " chấm ", " . " before a domain label: the label's first token, or -1;
   * whether the marker was spelled out or spaced goes to `this.dotSpaced`.
   */
  private dotMarker(t: number): number {
    this.dotSpaced = false;
    if (this.isPunct(t, C_DOT) && this.startsLabel(t + 1)) return t + 1;
    let k = t;
    const spaced = this.isSpace(k);
    if (spaced) k++;
    const close = this.bracketed(k, 'dot');
    if (close >= 0) {
      const n = this.isSpace(close + 1) ? close + 2 : close + 1;
      return this.startsLabel(n) ? n : -1;
    }
    if (!spaced || !this.isSpace(k + 1) || !this.startsLabel(k + 2)) return -1;
    const w = this.word(k);
    if (w !== 'dot' && w !== 'cham' && !this.isPunct(k, C_DOT)) return -1;
    this.dotSpaced = true;
    return k + 2;
  }

  private startsLabel(t: number): boolean {
    return t < this.v.count && !this.claimed[t] && (this.v.kind[t] === WORD || this.v.kind[t] === DIGITS);
  }

  // ---- numbers -------------------------------------------------------------------------------

  // The run being classified: units[0..runLength), its digit count, and what follows it.
  private runLength = 0;
  private runLast = 0;
  private runHasDigits = false;
  private runDigits = 0;
  private runUnitAfter = false;
  private runBankAfter = false;

  /** Walks the tokens once, remembering the last keyword, and classifies every run of digit groups. */
  findNumbers(): void {
    const v = this.v;
    ensureUnits(Math.min(v.count, 4096));
    let context: KeywordClass | null = null;
    let words = 0;
    let tokens = 0;
    for (let t = 0; t < v.count; ) {
      if (this.claimed[t]) {
        context = null;
        t++;
        continue;
      }
      const kind = v.kind[t];
      if (kind === DIGITS && v.end[t] - v.start[t] < MIN_MASKED_DIGITS && !this.joinsNext(t)) {
        // A short number standing alone ("5 người", "2023"): nothing to mask, and it ends a keyword's reach.
        context = null;
        t++;
        continue;
      }
      const w = kind === WORD ? this.word(t) : null;
      const startsRun = kind === DIGITS || (kind === PUNCT && this.startsPrefix(t)) || (w !== null && SPELLED_DIGITS.has(w));
      if (startsRun && this.buildRun(t)) {
        // Most runs (counts, years, amounts) are too short to be anything personal.
        if (this.runDigits >= MIN_MASKED_DIGITS) {
          this.runUnitAfter = this.unitAfter(this.runLast + 1);
          this.runBankAfter = this.bankAfter(this.runLast + 1);
          this.classifyRun(context);
        }
        if (this.runHasDigits) context = null;
        else if (context && (words -= this.runLength) < 0) context = null;
        t = this.runLast + 1;
        continue;
      }
      if (kind === WORD) {
        const keyword = w === null ? null : this.keywordAt(t, w);
        if (keyword) {
          context = keyword.cls;
          words = KEYWORD_WORDS;
          tokens = KEYWORD_TOKENS;
          t = keyword.last + 1;
          continue;
        }
        if (context && --words < 0) context = null;
      } else if (kind === PUNCT) {
        const c = this.code(t);
        if (c === 0x3f || c === 0x21 || c === 0x3b) context = null; // ? ! ;
      }
      if (context && --tokens < 0) context = null;
      t++;
    }
  }

  /** "+8…", "(+…" or "(0…)" at token t: a phone prefix may start there. */
  private startsPrefix(t: number): boolean {
    const c = this.code(t);
    if (c === C_PLUS) return this.v.kind[t + 1] === DIGITS;
    return c === C_OPEN && (this.isPunct(t + 1, C_PLUS) || (this.v.kind[t + 1] === DIGITS && this.isPunct(t + 2, C_CLOSE)));
  }

  /** Whether a digit group at token t may be followed by another one ("0912 345", "079.203", "5 chín"). */
  private joinsNext(t: number): boolean {
    const v = this.v;
    const k = t + 1;
    if (k + 1 >= v.count || this.claimed[k]) return false;
    const kind = v.kind[k];
    if (kind === SPACE ? !this.isSpace(k, 3) : kind !== PUNCT || (PUNCT_CLASS[this.code(k)] & P_GROUP) === 0) return false;
    const next = v.kind[k + 1];
    return next === DIGITS || next === WORD;
  }

  private keywordAt(t: number, w: string): { cls: KeywordClass; last: number } | null {
    const phrases = KEYWORDS.get(w);
    if (!phrases) return null;
    for (const p of phrases) {
      let k = t;
      let ok = true;
      for (let i = 1; i < p.words.length && ok; i++) {
        ok = this.isSpace(k + 1, 3) && this.word(k + 2) === p.words[i];
        k += 2;
      }
      if (ok) return { cls: p.cls, last: k };
    }
    return null;
  }

  /** Reads the digit group at token t (digits, a spelled digit, "+84…", "(+84)", "(028)") into units[i]. */
  private unitAt(t: number, i: number): boolean {
    const v = this.v;
    if (t >= v.count || this.claimed[t]) return false;
    if (i >= units.size) ensureUnits(i + 1);
    if (v.kind[t] === WORD) {
      const d = this.spelledDigit(t);
      if (d < 0) return false;
      units.from[i] = v.start[t];
      units.to[i] = v.end[t];
      units.last[i] = t;
      units.digits[i] = 1;
      units.d0[i] = d;
      units.d1[i] = -1;
      units.d2[i] = -1;
      units.flags[i] = F_SPELLED;
      return true;
    }
    let k = t;
    const paren = this.isPunct(k, C_OPEN);
    if (paren) k++;
    const plus = this.isPunct(k, C_PLUS);
    if (plus) k++;
    if (k >= v.count || v.kind[k] !== DIGITS || this.claimed[k]) return false;
    const text = v.text;
    const s = v.start[k];
    const e = v.end[k];
    const digits = e - s;
    const d0 = text.charCodeAt(s) - 0x30;
    const d1 = digits > 1 ? text.charCodeAt(s + 1) - 0x30 : -1;
    const d2 = digits > 2 ? text.charCodeAt(s + 2) - 0x30 : -1;
    if (plus && !(d0 === 8 && d1 === 4)) return false;
    const closed = this.isPunct(k + 1, C_CLOSE);
    // "(028) 3823 4567": an area code in brackets.
    if (paren && !plus && !(closed && digits >= 2 && digits <= 4 && d0 === 0)) return false;
    let flags = F_TOKEN;
    if (plus) flags |= F_PLUS;
    if ((plus && digits <= 3) || (paren && closed)) flags |= F_PREFIX;
    if (digits === 4 && ((d0 === 1 && d1 === 9) || (d0 === 2 && d1 === 0))) flags |= F_YEAR;
    if (
      digits >= 5 &&
      text.charCodeAt(e - 1) === 0x30 &&
      text.charCodeAt(e - 2) === 0x30 &&
      text.charCodeAt(e - 3) === 0x30 &&
      text.charCodeAt(e - 4) === 0x30
    )
      flags |= F_ROUND;
    units.from[i] = v.start[t];
    units.to[i] = e;
    units.last[i] = k;
    units.digits[i] = digits;
    units.d0[i] = d0;
    units.d1[i] = d1;
    units.d2[i] = d2;
    units.flags[i] = flags;
    return true;
  }

  /**
   * Reads the run of digit groups starting at token t, joined by single separators, into units;
   * false when there is no digit group at t. Linear in the length of the run.
   */
  private buildRun(t: number): boolean {
    if (!this.unitAt(t, 0)) return false;
    const v = this.v;
    let n = 1;
    let hasDigits = (units.flags[0] & F_TOKEN) !== 0;
    let digits = units.digits[0];
    for (;;) {
      const i = n - 1;
      const flags = units.flags[i];
      let k = units.last[i] + 1;
      let sep: number;
      if ((flags & F_PREFIX) !== 0 && this.isPunct(k, C_CLOSE)) {
        k++;
        if (this.isSpace(k, 3)) k++;
        sep = SEP_PREFIX;
      } else if (this.isSpace(k, 3)) {
        sep = 0x20;
        k++;
      } else if (k < v.count && v.kind[k] === PUNCT && !this.claimed[k] && (PUNCT_CLASS[this.code(k)] & P_GROUP) !== 0) {
        sep = this.code(k);
        k++;
      } else break;
      if ((flags & F_PREFIX) !== 0) sep = SEP_PREFIX;
      if (k >= v.count || (v.kind[k] !== DIGITS && v.kind[k] !== WORD) || !this.unitAt(k, n)) break;
      // Spelled digits are written apart: "không chín 1 2 3…".
      if (((flags | units.flags[n]) & F_SPELLED) !== 0 && sep !== 0x20) break;
      units.sep[i] = sep;
      hasDigits ||= (units.flags[n] & F_TOKEN) !== 0;
      digits += units.digits[n];
      n++;
    }
    this.runLength = n;
    this.runLast = units.last[n - 1];
    this.runHasDigits = hasDigits;
    this.runDigits = digits;
    return true;
  }

  /** "… đồng", "…đ", "… triệu", "…%": the number is an amount. */
  private unitAfter(t: number): boolean {
    let k = t;
    if (this.isSpace(k)) k++;
    if (this.isPunct(k, C_PERCENT)) return true;
    const w = this.word(k);
    if (w === null || !MONEY_UNITS.has(w)) return false;
    return !(w === 'ngan' && this.word(k + 2) === 'hang'); // "ngàn" is a thousand, "ngân hàng" a bank
  }

  /** "87654321 bidv", "… ngân hàng vcb", "… (tại agribank)": the number is an account. */
  private bankAfter(t: number): boolean {
    const v = this.v;
    let words = 0;
    for (let k = t; k < v.count && k < t + 10; k++) {
      const kind = v.kind[k];
      if (kind === SPACE || (kind === PUNCT && (PUNCT_CLASS[this.code(k)] & P_BEFORE_BANK) !== 0)) continue;
      const w = this.word(k);
      if (w === null || ++words > 3) return false;
      if (BANK_NAMES.has(w) || w === 'nh' || w === 'bank' || (w === 'ngan' && this.word(k + 2) === 'hang')) return true;
      if (!BANK_FILLERS.has(w)) return false;
    }
    return false;
  }

  /**
   * Splits the run into numbers: from each group, the longest candidate that a keyword before it makes
   * personal, else the longest that looks like a phone, ID or card number, else the longest generic
   * long number. Each start looks at most MAX_DIGITS digits ahead, so this is linear too.
   */
  private classifyRun(context: KeywordClass | null): void {
    const count = this.runLength;
    const s = this.shape;
    const bankAfter = this.runBankAfter;
    const unitAfter = this.runUnitAfter;
    markAmounts(count);
    // "hộ chiếu C1234567": letters glued to the first group.
    const lettered = context === 'other' && this.withLetterPrefix(units.from[0], units.last[0]) !== units.from[0];
    let i = 0;
    while (i < count) {
      if ((units.flags[i] & F_IN_AMOUNT) !== 0) {
        i++;
        continue;
      }
      let keyedEnd = -1;
      let keyedLabel = '';
      let shapeEnd = -1;
      let shapeLabel = '';
      let genericEnd = -1;
      const keyed = i === 0 && context !== null;
      // A first group of one or two digits starts something only when it is "0…", "84" or after a keyword.
      if (!keyed && !bankAfter && units.digits[i] < 3 && units.d0[i] !== 0 && !(units.d0[i] === 8 && units.d1[i] === 4)) {
        i++;
        continue;
      }
      resetShape(s, i);
      for (let j = i; j < count; j++) {
        const digits = units.digits[j];
        const flags = units.flags[j];
        if (j > i) {
          const sep = units.sep[j - 1];
          if (sep === SEP_PREFIX) {
            if (j - 1 !== i) break;
          } else if (s.sep === 0) s.sep = sep;
          else if (sep !== s.sep) {
            // "0912 345.678": spaces, dots and dashes mixed in one number.
            if (!isLooseSeparator(sep) || !isLooseSeparator(s.sep)) break;
            s.mixed = true;
          }
          if (s.n + digits > MAX_DIGITS) break;
          if (units.digits[j - 1] < 3) {
            s.wideGroups = false;
            if (j - 1 > i) s.narrowInside = true;
            if ((units.flags[j - 1] & F_PREFIX) === 0) s.narrowPlain = true;
          }
          // Mixed separators only between groups of three or more ("0912 345.678", not "01.07.2026 100"),
          // and not from the end of an amount ("1.500.000 200.000").
          if (s.mixed && (s.narrowPlain || digits < 3 || (units.flags[i] & F_AMOUNT_END) !== 0)) break;
          if (!keyed && !bankAfter) {
            // Single digits and groups of three or more do not make one number ("0912 345 678 1 2"),
            // except a leading "0" or spelled "không" ("không 912 345 678").
            if (digits === 1 ? s.wideSeen : digits >= 3 && s.singleInside) break;
            // Narrow groups ("1 2 3…") can only make a phone or an ID starting with 0, or
            // "84 912 345 678"; stop as soon as none of these is possible.
            if (!s.wideGroups && (s.n >= 12 || !(s.d0 === 0 || (s.d0 === 8 && s.d1 === 4 && !s.narrowInside)))) break;
          }
          if (digits === 1) s.singleInside = true;
          if (digits !== 3) s.thousands = false;
          if (s.d2 < 0) {
            if (s.d1 < 0) {
              s.d1 = units.d0[j];
              s.d2 = units.d1[j];
            } else s.d2 = units.d0[j];
          }
        }
        s.n += digits;
        if (digits >= 3) s.wideSeen = true;
        if (j > i && digits !== units.digits[i]) s.uniform = false;
        if (s.groups < 3) s.lens[s.groups] = digits;
        s.groups++;
        s.allFour &&= digits === 4;
        s.allYears &&= (flags & F_YEAR) !== 0;
        s.spelled ||= (flags & F_SPELLED) !== 0;
        // Spelled-out digits make only a phone number, unless a keyword says otherwise.
        if (s.spelled && (s.d0 !== 0 || (!keyed && (s.d1 === 0 || s.n > 11)))) break;
        s.round = s.groups === 1 && (flags & F_ROUND) !== 0;
        s.last = j === count - 1;
        s.date = isDate(s);
        const money = isMoney(s, unitAfter);
        const cls = keyed ? context : s.last && bankAfter ? 'bank' : null;
        if (cls) {
          const label = keyedLabel_(s, cls, money, lettered);
          if (label) {
            keyedEnd = j;
            keyedLabel = label;
          }
        }
        const label = shapeLabel_(s, money);
        if (label) {
          shapeEnd = j;
          shapeLabel = label;
        }
        if (isGeneric(s, money)) genericEnd = j;
        if (s.n > MAX_DIGITS) break;
      }
      const end = keyedEnd >= 0 ? keyedEnd : shapeEnd >= 0 ? shapeEnd : genericEnd;
      if (end < 0) {
        i++;
        continue;
      }
      let from = units.from[i];
      if (keyedEnd >= 0 && context === 'other') from = this.withLetterPrefix(from, units.last[i]);
      this.numbers.push({ from, to: units.to[end], label: keyedEnd >= 0 ? keyedLabel : shapeEnd >= 0 ? shapeLabel : NUMBER });
      i = end + 1;
    }
  }

  /** "hộ chiếu C1234567", "bhyt DN4010123456789": the letters glued to the number go with it. */
  private withLetterPrefix(from: number, digitsToken: number): number {
    const v = this.v;
    const prev = digitsToken - 1;
    if (prev < 0 || v.kind[prev] !== WORD || this.claimed[prev] || v.end[prev] !== from || v.end[prev] - v.start[prev] > 2) return from;
    return v.start[prev];
  }

  private readonly shape: Shape = {
    n: 0,
    d0: -1,
    d1: -1,
    d2: -1,
    groups: 0,
    lens: [0, 0, 0],
    sep: 0,
    wideGroups: true,
    narrowInside: false,
    wideSeen: false,
    uniform: true,
    mixed: false,
    narrowPlain: false,
    singleInside: false,
    date: false,
    thousands: true,
    allFour: true,
    allYears: true,
    spelled: false,
    plus: false,
    round: false,
    last: false,
  };

  // ---- output --------------------------------------------------------------------------------

  /** The text (given as the parts that were scanned) with every span replaced by its placeholder. */
  render(parts: readonly string[]): string {
    const a = this.emails;
    const b = this.numbers;
    // Concatenation, not join(): it costs nothing until the result is read.
    let source = parts[0];
    for (let i = 1; i < parts.length; i++) source += parts[i];
    if (a.length === 0 && b.length === 0) return source;
    const origin = this.v.origin;
    const out: string[] = [];
    let pos = 0;
    for (let i = 0, j = 0; i < a.length || j < b.length; ) {
      const span = j >= b.length || (i < a.length && a[i].from < b[j].from) ? a[i++] : b[j++];
      out.push(source.slice(pos, origin[span.from]), span.label);
      pos = origin[span.to];
    }
    out.push(source.slice(pos));
    return out.join('');
  }
}

type AtMode = 'tight' | 'bracket' | 'spelled';

/**
 * Marks the groups inside thousands-grouped amounts of the run ("500" in "1.500.000", and "000" as
 * its last group), so that no number is read from the middle of an amount ("1.000.000.000.000 đồng"
 * holds no CCCD).
 * Not an amount: groups going on with the same separator ("1.091.234.5678" is a phone after "1."), or
 * four groups of three hiding a CCCD ("1.079.203.001.234": a CCCD with a digit glued to it).
 */
function markAmounts(count: number): void {
  for (let a = 0; a < count; ) {
    let b = a;
    const sep = units.sep[a];
    if (
      a + 1 < count &&
      units.digits[a] <= 3 &&
      units.d0[a] > 0 &&
      (units.flags[a] & (F_SPELLED | F_PLUS)) === 0 &&
      (sep === C_DOT || sep === C_COMMA)
    ) {
      while (b + 1 < count && units.sep[b] === sep && units.digits[b + 1] === 3 && (units.flags[b + 1] & F_SPELLED) === 0) b++;
      const goesOn = b + 1 < count && units.sep[b] === sep;
      let hidesId = false;
      for (let k = a + 1; k + 3 <= b && !hidesId; k++) hidesId = units.d0[k] === 0 && !(units.d1[k] === 0 && units.d2[k] === 0);
      if (!goesOn && !hidesId) {
        for (let k = a + 1; k < b; k++) units.flags[k] |= F_IN_AMOUNT;
        if (b > a) units.flags[b] |= F_AMOUNT_END;
      }
    }
    a = b + 1;
  }
}

/** Space, dot or dash: separators people mix within one number. */
function isLooseSeparator(sep: number): boolean {
  return sep === 0x20 || sep === C_DOT || sep === C_HYPHEN;
}

/** Starts the shape of a candidate number at units[i]. */
function resetShape(s: Shape, i: number): void {
  s.n = 0;
  s.d0 = units.d0[i];
  s.d1 = units.d1[i];
  s.d2 = units.d2[i];
  s.groups = 0;
  s.sep = 0;
  s.wideGroups = true;
  s.narrowInside = false;
  s.wideSeen = false;
  s.uniform = true;
  s.mixed = false;
  s.narrowPlain = false;
  s.singleInside = false;
  s.date = false;
  s.thousands = true;
  s.allFour = true;
  s.allYears = true;
  s.spelled = false;
  s.plus = (units.flags[i] & F_PLUS) !== 0;
  s.round = false;
  s.last = false;
}

/** Dates ("31/12/2023", "2023-12-31") are never masked, even after a keyword ("cccd cấp ngày 12/03/2021"). */
function isDate(s: Shape): boolean {
  if (s.groups !== 3 || s.mixed || !(s.sep === C_SLASH || s.sep === C_HYPHEN || s.sep === C_DOT)) return false;
  const [a, b, c] = s.lens;
  return (a <= 2 && b <= 2 && (c === 2 || c === 4)) || (a === 4 && b <= 2 && c <= 2);
}

/**
 * Amounts: "1.500.000", "2,530,000", "150 000 000 đồng", "50000000". Amounts never start with 0, which
 * IDs and phone numbers do. Without thousands dots or commas, an amount has at most
 * MAX_PLAIN_AMOUNT_DIGITS digits (10 billion đồng): longer, it is more likely an ID with a digit
 * glued to it than money.
 */
function isMoney(s: Shape, unitAfter: boolean): boolean {
  if (s.d0 === 0 || s.plus || s.spelled) return false;
  if (s.groups > 1 && s.lens[0] <= 3 && s.thousands && !s.mixed && (s.sep === C_DOT || s.sep === C_COMMA)) return true;
  return isPlainAmount(s, unitAfter);
}

/** "150 000 000 đồng", "50000000đ", "100000000": a short number followed by a money unit, or round. */
function isPlainAmount(s: Shape, unitAfter: boolean): boolean {
  if (s.d0 === 0 || s.plus || s.spelled || s.n > MAX_PLAIN_AMOUNT_DIGITS) return false;
  return (s.last && unitAfter) || (s.groups === 1 && s.round);
}

/**
 * Numbers made personal by the keyword before them. After "cccd" or "sđt" even an amount-like number
 * is masked ("cmnd 271.234.567"): nobody writes a 9-digit amount there. After "stk", a bank name or
 * "mst", amounts stay ("tài khoản của tôi bị trừ 1.500.000"). A bank's name alone, or "chuyển vào",
 * asks for 8 digits (account numbers have 8 to 19), and "mst", "bhxh"… for 10 (tax and insurance
 * codes), or 7 after a letter (passports: "C1234567"), so hotlines ("1900 9068") stay.
 */
function keyedLabel_(s: Shape, cls: KeywordClass, money: boolean, lettered: boolean): string | null {
  if (s.date) return null;
  if (s.spelled && (s.d0 !== 0 || (cls !== 'id' && cls !== 'phone'))) return null;
  switch (cls) {
    case 'id':
      return s.n >= 8 && s.n <= 16 ? CCCD : null;
    case 'phone':
      return s.n >= 9 && s.n <= 12 ? PHONE : null;
    case 'account':
      return s.n >= MIN_MASKED_DIGITS && s.n <= MAX_DIGITS && !money ? ACCOUNT : null;
    case 'bank':
      return s.n >= 8 && s.n <= MAX_DIGITS && !money ? ACCOUNT : null;
    case 'other':
      return s.n >= (lettered ? 7 : 10) && s.n <= MAX_DIGITS && !money ? NUMBER : null;
  }
}

/** Numbers personal by their shape alone: phone numbers, CCCD/CMND, 16-digit cards. */
function shapeLabel_(s: Shape, money: boolean): string | null {
  if (money || s.n > MAX_DIGITS) return null;
  const mobile = s.d0 === 0 && s.d1 > 0 && (s.n === 10 || s.n === 11);
  const international = s.d0 === 8 && s.d1 === 4 && (s.plus ? s.n === 11 || s.n === 12 : s.n === 11 && s.d2 > 0);
  if (mobile || international) return PHONE;
  if (s.spelled || s.date) return null;
  if (s.mixed) return s.d0 === 0 && (s.n === 12 || s.n === 9) ? CCCD : null;
  // Not starting with 0, an ID is written in one piece or in equal groups ("271 234 567", "1234 5678 9012").
  const idGroups = s.groups === 1 || (s.uniform && !s.allYears && (s.lens[0] === 3 || (s.lens[0] === 4 && s.n === 12)));
  if (s.n === 12 && (s.d0 === 0 || idGroups)) return CCCD;
  if (s.n === 9 && (s.d0 === 0 || idGroups)) return CCCD;
  if (s.n === 16 && s.groups === 4 && s.allFour) return ACCOUNT;
  return null;
}

/** Any other long number (10+ digits) that is not an amount: masked as [SỐ]. */
function isGeneric(s: Shape, money: boolean): boolean {
  if (s.spelled || s.mixed || money || s.date || s.n < 10) return false;
  if (s.groups === 1) return true;
  return s.n <= MAX_DIGITS && s.wideGroups && !s.allYears;
}
