import type { PolicyEntry } from '../knowledge/schema.ts';
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import type { Button, Reply } from '../domain/types.ts';
import { formatDate, isoDateInVietnam } from '../format/vi.ts';
import { fullSources } from '../format/citations.ts';
import type { DetailKind } from '../knowledge/schema.ts';
import { fold } from '../nlu/text.ts';

/** What the person wants from an entry: the direct answer, one part of it, everything, or the references. */
export type PolicyView = 'first' | 'full' | 'sources' | DetailKind;

/** Labels of the buttons that open one part of an entry. */
const PART_BUTTONS: Array<[DetailKind, string]> = [
  ['procedure', 'Thủ tục'],
  ['documents', 'Giấy tờ cần mang'],
  ['where', 'Nộp ở đâu'],
];

/** Short headings for a part shown on its own ("Dạ, thủ tục: …"). */
const PART_LEADS: Record<DetailKind, string> = {
  amount: 'mức hỗ trợ',
  eligibility: 'ai được hưởng',
  procedure: 'thủ tục',
  documents: 'giấy tờ cần mang',
  where: 'nơi hỏi, nộp hồ sơ',
  note: 'lưu ý',
};

export interface PolicyRequest {
  /** The question, folded (for the yes/no verdict). */
  folded: string;
  view?: PolicyView;
  /** Open with a greeting (the message was a letter). */
  greeting?: boolean;
  /**
   * With a part view: the message also asked a yes/no question ("có được miễn không, thủ tục thế nào?"),
   * so the verdict (the lead's first sentence) comes before the part, and neither question goes unanswered.
   */
  verdict?: boolean;
}

/**
 * Renders a knowledge entry for a phone screen. The first answer is the direct answer (yes/no or the
 * figure, the condition, where to go) in a few short lines, then cautions; the sources travel as
 * citations (channels print them as one short "Căn cứ" line) and the rest sits behind buttons:
 * "Xem chi tiết", "Thủ tục", "Giấy tờ cần mang", "Căn cứ pháp lý", related entries. A view of one
 * part (`procedure`, `documents`, …) answers only that part, without repeating the lead.
 */
export function policyReply(kb: KnowledgeBase, entry: PolicyEntry, now: Date, req: PolicyRequest): Reply {
  const view = req.view ?? 'first';
  const current = kb.isCurrent(entry, now);
  // A rule that has ended is described with the values it had on its last day, never with blanks.
  if (!current && entry.effective_to && entry.effective_to < isoDateInVietnam(now)) now = new Date(`${entry.effective_to}T12:00:00Z`);
  const citations = kb.citations(entry, now);
  const r = (s: string) => kb.render(entry, s, now);
  const lines: string[] = [];
  const section = (d: PolicyEntry['details'][number]) => [`${d.heading}:`, ...d.lines.map((l) => `• ${r(l)}`)];

  if (view === 'sources') {
    lines.push(`Dạ, căn cứ pháp lý của mục "${shortTitle(entry.title, 80)}":`);
    lines.push(...fullSources(citations));
    lines.push(`Thông tin cập nhật ${formatDate(entry.last_verified)}.`);
    return { text: lines.join('\n'), buttons: partButtons(entry, view), citations };
  }

  const parts = view === 'first' || view === 'full' ? [] : entry.details.filter((d) => d.kind === view);
  if (parts.length && req.verdict) {
    const clause = yesNoClause(req.folded) ?? req.folded;
    const lead = r(fitYesNo(entry.short_answer.trim(), clause));
    lines.push(req.greeting ? greeted(lead) : lead);
    for (const d of parts) lines.push(...section(d));
  } else if (parts.length) {
    lines.push(`Dạ, ${PART_LEADS[view as DetailKind]} (${shortTitle(entry.title, 60).toLowerCase()}):`);
    for (const d of parts) lines.push(...section(d).slice(parts.length === 1 ? 1 : 0));
  } else {
    const lead = r(namedFirst(fitYesNo(entry.short_answer.trim(), req.folded), req.folded));
    lines.push(req.greeting ? greeted(lead) : lead);
    if (view === 'first') {
      const caseLine = lineForCase(entry, req.folded, r);
      if (caseLine) lines.push(`• ${caseLine.heading.replace(/\s*\(.*?\)/g, '')}: ${r(caseLine.line)}`);
    }
    if (view === 'full') {
      for (const d of entry.details) lines.push('', ...section(d));
      if (entry.contacts.length) lines.push('', 'Nơi hỏi, nộp hồ sơ:', ...entry.contacts.map((c) => `• ${c}`));
    }
  }
  // Cautions come after the answer, never before it.
  if (!current) {
    const until = entry.effective_to ? ` đến ${formatDate(entry.effective_to)}` : '';
    lines.push(`Lưu ý: chính sách này chỉ áp dụng${until}, hiện không còn nhận hồ sơ mới.`);
  }
  const unconfirmedValue = Object.keys(entry.params).some((p) => kb.valueAt(entry, p, now)?.unconfirmed);
  if (entry.caution || entry.status === 'unconfirmed' || unconfirmedValue) {
    lines.push(`⚠️ ${entry.caution ?? 'Thông tin này chưa được xác nhận từ văn bản chính thức, vui lòng hỏi lại UBND xã.'}`);
  }
  return { text: lines.join('\n'), buttons: partButtons(entry, view, kb), citations };
}

/** A lead answer opened with a greeting, for a message written as a letter. */
function greeted(lead: string): string {
  return `Dạ, em chào anh/chị. ${lead.replace(/^Dạ,\s*/u, '').replace(/^./u, (c) => c.toUpperCase())}`;
}

/**
 * The detail line about the particular case the question names, when the direct answer does not cover
 * it: "sinh viên khuyết tật …" asked of the tuition entry whose lead speaks of ethnic-minority students
 * gets the line on disabled students; "giảm 70% là cho ai" gets the line with 70%. The case words are the
 * entry's own `prefer_terms` and the percentages the question names; lines are matched as rendered.
 */
export function lineForCase(
  entry: PolicyEntry,
  folded: string,
  render: (s: string) => string = (s) => s,
): { heading: string; line: string } | null {
  const words = (s: string) => ` ${fold(s).replace(/[^a-z0-9%]+/g, ' ')} `;
  const asked = words(folded.replace(/(\d)\s*(%|phan tram\b)/g, '$1%'));
  const lead = words(render(entry.short_answer));
  const terms = [...entry.prefer_terms.map(words), ...(asked.match(/ \d{1,3}% /g) ?? [])];
  for (const t of terms) {
    if (t.trim().length < 3 || !asked.includes(t) || lead.includes(t)) continue;
    for (const d of entry.details) for (const line of d.lines) if (words(render(line)).includes(t)) return { heading: d.heading, line };
  }
  return null;
}

/** The buttons under a policy answer: the parts not shown yet, the references, and related entries. */
function partButtons(entry: PolicyEntry, view: PolicyView, kb?: KnowledgeBase): Button[] {
  const buttons: Button[] = [];
  if (view !== 'full' && entry.details.length) buttons.push({ label: 'Xem chi tiết', payload: `kb:${entry.id}:full` });
  for (const [kind, label] of PART_BUTTONS)
    if (view !== kind && view !== 'full' && entry.details.some((d) => d.kind === kind))
      buttons.push({ label, payload: `kb:${entry.id}:${kind}` });
  if (view !== 'sources' && entry.legal_basis.length) buttons.push({ label: 'Căn cứ pháp lý', payload: `kb:${entry.id}:sources` });
  for (const id of entry.related) {
    const rel = kb?.get(id);
    if (rel && buttons.length < 6) buttons.push({ label: shortTitle(rel.title), payload: `kb:${rel.id}` });
  }
  return buttons;
}

/** Does the question expect a yes or a no ("có được ... không", "... phải không", "... chưa")? */
/**
 * A short answer that covers several things (the hotlines of three offices) leads with the sentence about
 * the one the question names: "số điện thoại ngân hàng chính sách" opens with the bank, not with legal aid.
 * Only when the first sentence shares no word pair with the question and a later one shares at least three;
 * a verdict keeps its place.
 */
export function namedFirst(answer: string, folded: string): string {
  const sentences = answer.replace(/^Dạ,\s*/u, '').split(/(?<=[.!?])\s+(?=\p{Lu})/u);
  // A verdict ("Dạ, được.", "Dạ, có.") answers first and keeps its place.
  if (sentences.length < 2 || sentences[0].split(/\s+/).length <= 3) return answer;
  const words = folded
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ');
  const pairs = new Set(words.slice(1).map((w, i) => `${words[i]} ${w}`));
  const shared = (sentence: string) => {
    const f = ` ${fold(sentence).replace(/[^a-z0-9]+/g, ' ')} `;
    let n = 0;
    for (const p of pairs) if (f.includes(` ${p} `)) n++;
    return n;
  };
  if (shared(sentences[0]) > 0) return answer;
  // Three word pairs at least: a name ("ngân hàng chính sách"), not a common phrase ("hỗ trợ").
  let best = 0;
  let bestShared = 2;
  sentences.forEach((sentence, i) => {
    const n = shared(sentence);
    if (i > 0 && n > bestShared) [best, bestShared] = [i, n];
  });
  if (!best) return answer;
  const capital = (t: string) => t.replace(/^./u, (c) => c.toUpperCase());
  const ordered = [sentences[best], ...sentences.filter((_, i) => i !== best).map(capital)];
  return `Dạ, ${ordered.join(' ')}`;
}

/**
 * The clause of a message that is a yes/no question, when one is ("chau co duoc mien hoc phi khong" in
 * "…, chau co duoc mien hoc phi khong, thu tuc the nao"); null when none is.
 */
export function yesNoClause(folded: string): string | null {
  const clauses = folded.split(/[,.;?!\n]+| va /).map((c) => c.trim());
  return clauses.find((c) => c && isYesNoQuestion(c)) ?? null;
}

export function isYesNoQuestion(folded: string): boolean {
  const t = folded
    .replace(/[^a-z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/( (a|ah|ak|nhe|nha|vay|the|ha|ad|ban|em|chi|anh|ta|nhi))+$/, '');
  return (
    (/\b(khong|ko|chua|hong|hem|khum)$/.test(t) && /\b(co|duoc|phai|bi|da|con|lieu)\b/.test(t)) ||
    /\b(phai khong|dung khong|duoc khong|hay khong)\b/.test(t)
  );
}

/**
 * An answer written "Dạ, có. …" or "Dạ, không. …" leads with the verdict for yes/no questions;
 * for other questions ("bao nhiêu", "thủ tục") the verdict word is dropped so the answer reads naturally.
 */
export function fitYesNo(answer: string, folded: string): string {
  // The entry's verdict answers its own main question ("can I borrow?"); a question about a side
  // condition ("do I have to pledge?", "is it cut?", "a second time?") needs the explanation, not that verdict.
  const sideCondition =
    /\b(phai|bi|mat|the chap|dong|tra lai|nop|cat|het|lan 2|lan hai|lan nua|them|nua|con phai|doi|xiet|thu hoi)\b/.test(folded) ||
    // A figure of the person's own ("hỗ trợ 100% đúng không") is answered by the figures, not by a bare yes.
    /\d\s*(%|phan tram\b|trieu\b|tr\b|nghin\b|dong\b)/.test(folded);
  if (isYesNoQuestion(folded) && !sideCondition && folded.split(' ').length <= 16) return answer;
  return answer.replace(/^Dạ, (có|không)\.\s+(\S)/u, (_m, _v, first: string) => `Dạ, ${first.toLowerCase()}`);
}

/**
 * A title shortened for a button or a heading: brackets dropped, cut at a word boundary (never
 * mid-word), with "…" when cut. Channels that show longer labels wrap them instead of cutting.
 */
export function shortTitle(title: string, max = 60): string {
  const t = title
    .replace(/\s*\(.*?\)\s*/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[,;:–-]+$/u, '').trimEnd()}…`;
}
