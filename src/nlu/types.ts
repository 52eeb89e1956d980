import type { HouseholdType } from '../domain/types.ts';

/** A money amount found in text ("1,5 triệu", "1tr5", "1.500.000đ"), with what it was said to be per. */
export interface MoneyMention {
  vnd: number;
  /** "/người", "mỗi người", "bình quân" */
  perPerson: boolean;
  /** "/tháng", "mỗi tháng", "1 tháng" */
  perMonth: boolean;
  /** "/năm" */
  perYear: boolean;
  raw: string;
}

/** Entities extracted from one message. Null means "not said". */
export interface Entities {
  household: HouseholdType | null;
  /** rural / urban, for the poverty line. */
  areaType: 'rural' | 'urban' | null;
  /** A four-digit year (2015-2035) mentioned. */
  year: number | null;
  /** A full date mentioned (dd/mm/yyyy), ISO. */
  date: string | null;
  money: MoneyMention[];
  /** Household size ("4 người", "nhà 5 khẩu"). */
  members: number | null;
}

/** What a message does, as opposed to what it is about (knowledge/lexicon/cues.yaml). */
export interface Acts {
  /** Continues the previous topic ("còn hộ cận nghèo thì sao?", "thế năm 2022?"). */
  followUp: boolean;
  /** Asks to stop what is going on ("hủy", "thôi"). */
  cancel: boolean;
  thanks: boolean;
  bye: boolean;
  /** "ok", "dạ", "vâng". */
  ack: boolean;
  /** "hay quá", "hữu ích quá". */
  praise: boolean;
  /** "sai rồi", "không đúng". */
  complaint: boolean;
  /** The message is only such acts (with particles and filler): nothing is asked. */
  only: boolean;
  /** Parts of an answer the message asks for, from its words (the learned question-type model adds its own reading). */
  asks: AskedPart[];
}

/** A part of a policy answer a question can ask for. */
export type AskedPart = 'procedure' | 'documents' | 'where' | 'amount' | 'eligibility';

/**
 * The engine's one reading of a message. Every skill reads this; none folds or parses text itself.
 */
export interface Understanding {
  /** The text as typed (trimmed, length-capped). */
  original: string;
  /** NFC, one tone convention, lower case, abbreviations/teencode expanded, spaces collapsed. Keeps accents. */
  normalized: string;
  /** `normalized` with diacritics folded (đ→d) and typos corrected: the form topic matching is done on. */
  folded: string;
  /**
   * The original folded as typed: lower case, no diacritics, spaces collapsed, punctuation kept, no
   * abbreviation expansion or correction. For readers of exact forms: "1,5", "1tr5", "31/12/2023",
   * "6,24%", "kiểm tra:", "/người".
   */
  matchText: string;
  /**
   * Folded with abbreviations expanded and the vay/vậy, số/sổ readings applied, before typo correction:
   * depends only on the lexicon (not on the knowledge base's vocabulary), so the topic model reads it.
   */
  plain: string;
  /** Word tokens of `folded`. */
  tokens: string[];
  entities: Entities;
  acts: Acts;
  /** Ids of the circumstances the message tells (knowledge/lexicon/pointers.yaml): "schooling", "sickness"… */
  mentions: string[];
}
