import type { PolicyEntry } from '../knowledge/schema.ts';
import type { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import type { Button, Reply } from '../domain/types.ts';
import { formatDate, isoDateInVietnam } from '../format/vi.ts';
import { fold } from '../nlu/text.ts';

/** Words that ask "how / where / what papers": the answer then includes the procedure section. */
const ASKS_PROCEDURE =
  /\b(thu tuc|ho so|giay to|lam sao|cach nao|lam the nao|nhu the nao|o dau|nop|dang ky|mau|quy trinh|can gi|chuan bi|buoc|may ngay|bao nhieu ngay|bao lau|khi nao|xet duyet)\b/;
const ASKS_WHO = /\b(ai duoc|doi tuong|dieu kien|co duoc|duoc khong|co phai|co bi|ai|nhung ai)\b/;
const ASKS_AMOUNT = /\b(bao nhieu|muc|toi da|lai suat|so tien|may phan tram|phan tram|bao lau|thoi han)\b/;

function pickSections(entry: PolicyEntry, folded: string, full: boolean) {
  if (full) return entry.details;
  const wanted: Array<(h: string) => boolean> = [];
  if (ASKS_PROCEDURE.test(folded)) wanted.push((h) => /cach|ho so|thu tuc|noi|dau|nop|buoc|quy trinh|giay|lam gi/.test(h));
  if (ASKS_WHO.test(folded)) wanted.push((h) => /ai|doi tuong|dieu kien|truong hop/.test(h));
  if (ASKS_AMOUNT.test(folded)) wanted.push((h) => /muc|lai|so tien|thoi han|bao nhieu/.test(h));
  return entry.details.filter((d) => wanted.some((w) => w(fold(d.heading)))).slice(0, 2);
}

/** A one-line date note: "Áp dụng từ 01/12/2025; thông tin cập nhật 27/11/2026." (the instruments travel as citations). */
export function sourceLine(entry: PolicyEntry): string {
  const from =
    entry.legal_basis
      .map((b) => b.effective_from)
      .filter((d): d is string => Boolean(d))
      .sort()
      .pop() ?? entry.effective_from;
  return `${from ? `Áp dụng từ ${formatDate(from)}; t` : 'T'}hông tin cập nhật ${formatDate(entry.last_verified)}.`;
}

/**
 * Renders a knowledge entry as the reply a resident reads: the short answer (values as of `now`),
 * the detail sections the question asks for (or all of them when `full`), the caution line where a
 * fact is unconfirmed or local, where to go, and the source with its date.
 */
export function policyReply(kb: KnowledgeBase, entry: PolicyEntry, now: Date, folded: string, full = false): Reply {
  const lines: string[] = [];
  const current = kb.isCurrent(entry, now);
  // A rule that has ended is described with the values it had on its last day, never with blanks.
  if (!current && entry.effective_to && entry.effective_to < isoDateInVietnam(now)) now = new Date(`${entry.effective_to}T12:00:00Z`);
  if (!current) {
    const until = entry.effective_to ? ` đến ${formatDate(entry.effective_to)}` : '';
    lines.push(`Lưu ý: chính sách này chỉ áp dụng${until}, hiện không còn áp dụng cho hồ sơ mới.`);
  }
  lines.push(kb.render(entry, fitYesNo(entry.short_answer.trim(), folded), now));
  for (const section of pickSections(entry, folded, full)) {
    lines.push('');
    lines.push(`${section.heading}:`);
    for (const l of section.lines) lines.push(`• ${kb.render(entry, l, now)}`);
  }
  if (full && entry.contacts.length) {
    lines.push('');
    lines.push('Nơi hỏi, nộp hồ sơ:');
    for (const c of entry.contacts) lines.push(`• ${c}`);
  }
  const unconfirmedValue = Object.keys(entry.params).some((p) => kb.valueAt(entry, p, now)?.unconfirmed);
  if (entry.caution || entry.status === 'unconfirmed' || unconfirmedValue) {
    lines.push('');
    lines.push(`⚠️ ${entry.caution ?? 'Thông tin này chưa được xác nhận từ văn bản chính thức, vui lòng hỏi lại UBND xã.'}`);
  }
  lines.push('');
  lines.push(sourceLine(entry));
  const buttons: Button[] = [];
  if (!full && entry.details.length) buttons.push({ label: 'Xem đầy đủ', payload: `kb:${entry.id}:full` });
  for (const id of entry.related) {
    const rel = kb.get(id);
    if (rel && buttons.length < 4) buttons.push({ label: shortTitle(rel.title), payload: `kb:${rel.id}` });
  }
  return { text: lines.join('\n'), buttons, citations: kb.citations(entry) };
}

/** Does the question expect a yes or a no ("có được ... không", "... phải không", "... chưa")? */
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
  const sideCondition = /\b(phai|bi|mat|the chap|dong|tra lai|nop|cat|het|lan 2|lan hai|lan nua|them|nua|con phai|doi|xiet|thu hoi)\b/.test(
    folded,
  );
  if (isYesNoQuestion(folded) && !sideCondition && folded.split(' ').length <= 16) return answer;
  return answer.replace(/^Dạ, (có|không)\.\s+(\S)/u, (_m, _v, first: string) => `Dạ, ${first.toLowerCase()}`);
}

/** Titles shortened for buttons (Telegram and Zalo show ~30 characters comfortably). */
export function shortTitle(title: string): string {
  const t = title.replace(/\s*\(.*?\)\s*/g, ' ').trim();
  return t.length > 40 ? `${t.slice(0, 38).trimEnd()}…` : t;
}
