import path from 'node:path';
import { z } from 'zod';
import { describeZodError, KnowledgeError, readDataFile } from '../util/data-file.ts';
import { expandAbbreviations } from './abbreviations.ts';
import { foldKey } from './text.ts';

/** Names of the conversation cues in `knowledge/lexicon/cues.yaml`. */
export const CUE_NAMES = [
  'follow_up',
  'cancel',
  'thanks',
  'bye',
  'ack',
  'praise',
  'complaint',
  'asks_procedure',
  'asks_documents',
  'asks_where',
  'asks_amount',
  'asks_who',
] as const;
export type CueName = (typeof CUE_NAMES)[number];

const phraseList = z.array(z.string().min(1)).default([]);
const cueSchema = z.object({ start: phraseList, end: phraseList, whole: phraseList, any: phraseList }).partial();
const fileSchema = z.object({
  particles: phraseList,
  filler: phraseList,
  follow_up: cueSchema,
  cancel: cueSchema,
  thanks: cueSchema,
  bye: cueSchema,
  ack: cueSchema,
  praise: cueSchema,
  complaint: cueSchema,
  asks_procedure: cueSchema,
  asks_documents: cueSchema,
  asks_where: cueSchema,
  asks_amount: cueSchema,
  asks_who: cueSchema,
});

interface CompiledCue {
  start: string[];
  end: string[];
  whole: Set<string>;
  any: string[];
}

/**
 * Conversation cues kept as data: what a message does ("còn … thì sao" continues, "hủy" cancels,
 * "cảm ơn" thanks), as opposed to what it is about. Phrases are folded and abbreviation-expanded
 * once at load, exactly as messages are, so editors can write them with or without accents.
 */
export class Cues {
  private readonly cues = new Map<CueName, CompiledCue>();
  private readonly particles: string[];
  private readonly filler: string[];

  constructor(raw: z.infer<typeof fileSchema>, abbreviations: Map<string, string>) {
    const key = (p: string) => foldKey(expandAbbreviations(p.toLowerCase(), abbreviations));
    this.particles = raw.particles.map(key).filter(Boolean);
    // Longest first, so "nhé ad" goes before "nhé".
    this.filler = [...new Set([...raw.filler, ...raw.particles].map(key).filter(Boolean))].sort((a, b) => b.length - a.length);
    for (const name of CUE_NAMES) {
      const c = raw[name];
      this.cues.set(name, {
        start: (c.start ?? []).map(key).filter(Boolean),
        end: (c.end ?? []).map(key).filter(Boolean),
        whole: new Set((c.whole ?? []).map(key).filter(Boolean)),
        any: (c.any ?? []).map(key).filter(Boolean),
      });
    }
  }

  /** Loads `knowledge/lexicon/cues.yaml`; throws a KnowledgeError naming the file and field when invalid. */
  static load(knowledgeDir: string, abbreviations: Map<string, string>): Cues {
    const file = path.join(knowledgeDir, 'lexicon', 'cues.yaml');
    const parsed = fileSchema.safeParse(readDataFile(file));
    if (!parsed.success) throw new KnowledgeError(`${file}: ${describeZodError(parsed.error)}`);
    return new Cues(parsed.data, abbreviations);
  }

  /** Does the folded message show this cue? */
  test(name: CueName, folded: string): boolean {
    return this.testWords(name, foldKey(folded));
  }

  /** `test` on a message already reduced to its folded words (callers testing many cues fold once). */
  testWords(name: CueName, words: string): boolean {
    const c = this.cues.get(name);
    if (!c || !words) return false;
    const padded = ` ${words} `;
    if (c.any.some((p) => padded.includes(` ${p} `))) return true;
    if (c.start.some((p) => words === p || words.startsWith(`${p} `))) return true;
    if (c.end.some((p) => words === p || words.endsWith(` ${p}`))) return true;
    if (c.whole.size) {
      let rest = words;
      // Drop polite particles at the end ("thôi ạ", "hủy nhé ad").
      for (let changed = true; changed; ) {
        changed = false;
        for (const p of this.particles)
          if (rest.endsWith(` ${p}`)) {
            rest = rest.slice(0, -p.length - 1);
            changed = true;
          }
      }
      if (c.whole.has(rest)) return true;
    }
    return false;
  }

  private readonly onlyPhrases = new Map<string, string[]>();

  /**
   * True when the message is made only of these acts' phrases, particles and filler words
   * ("cảm ơn ad nhiều nha", "ok ạ", "hay quá"): nothing is asked, so it gets a short reply.
   */
  only(names: readonly CueName[], folded: string): boolean {
    return this.onlyWords(names, foldKey(folded));
  }

  /** `only` on folded words. A long message is never only acts, so it is not examined. */
  onlyWords(names: readonly CueName[], words: string): boolean {
    if (!words || words.length > 120) return false;
    const key = names.join('|');
    let phrases = this.onlyPhrases.get(key);
    if (!phrases) {
      phrases = names
        .flatMap((n) => {
          const c = this.cues.get(n);
          return c ? [...c.any, ...c.start, ...c.end, ...c.whole] : [];
        })
        .sort((a, b) => b.length - a.length);
      this.onlyPhrases.set(key, phrases);
    }
    let rest = ` ${words} `;
    let matched = false;
    for (const p of phrases) {
      if (!rest.includes(` ${p} `)) continue;
      matched = true;
      while (rest.includes(` ${p} `)) rest = rest.replace(` ${p} `, ' ');
    }
    if (!matched) return false;
    for (const f of this.filler) while (rest.includes(` ${f} `)) rest = rest.replace(` ${f} `, ' ');
    return rest.trim() === '';
  }
}
