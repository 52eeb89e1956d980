import type { Area, Level } from '../areas.ts';
import type { Indicator, MeasureId } from '../catalog.ts';

/** A time a question asks about. */
export type TimePoint =
  | { kind: 'date'; date: string }
  | { kind: 'start'; year: number }
  | { kind: 'end'; year: number }
  | { kind: 'year'; year: number }
  | { kind: 'months'; year: number; months: number }
  | { kind: 'range'; from: number; to: number };

/** "tỉnh nào cao nhất", "5 tỉnh thấp nhất", "vùng nào". */
export interface RankingAsk {
  dir: 'max' | 'min';
  /** How many were asked for (null: not said). */
  count: number | null;
  level: 'province' | 'region';
  /** "tỉnh nào không còn hộ nghèo": only the places whose figure is zero. */
  zero?: boolean;
}

/** A place named in the question that has no figures of its own (a commune, a district, a sub-region). */
export interface PlaceMention {
  /** As the person wrote it, with its kind word ("xã Hàm Thạnh"). */
  name: string;
  level: Level | 'place';
  /** The area it lies in, when known: from places.yaml, or an area also named in the question. */
  inArea: Area | null;
}

/** What a statistics question asks, read from the NLU's understanding (see resolve/index.ts). */
export interface Resolution {
  /** The message's tokens with the words of named areas masked (so "Điện Biên" is not "diễn biến"). */
  tokens: string[];
  /** The message's tokens as read. */
  allTokens: string[];
  indicators: Indicator[];
  strongMatch: boolean;
  weakMatch: boolean;
  /** Areas named in the question (each a list of candidates sharing a name, e.g. old and new Lâm Đồng). */
  areas: Area[][];
  /** Areas named after "so với" (comparison targets). */
  compareAreas: Area[][];
  points: TimePoint[];
  latest: boolean;
  trend: boolean;
  /** A chart was asked for ("có biểu đồ không", "vẽ biểu đồ"). */
  chart: boolean;
  wantsChange: boolean;
  wantsPlanRatio: boolean;
  wantsSum: boolean;
  wantsPrevYear: boolean;
  wantsRegion: boolean;
  textTags: Set<string>;
  household: string | null;
  kinds: Set<'count' | 'rate' | 'amount'>;
  /** The measure named in the question ("theo khảo sát mức sống", "theo rà soát"), if any. */
  measure: MeasureId | null;
  followUp: boolean;
  /** A place without figures named in the question (answered "chưa có", naming the nearest level with figures). */
  place: PlaceMention | null;
  /** "các huyện", "từng huyện": list the parts of the area. */
  breakdown: boolean;
  ranking: RankingAsk | null;
  /** "đầu năm"/"cuối năm" said without a year anywhere in the message (filled from the conversation). */
  pending: ('start' | 'end')[];
}
