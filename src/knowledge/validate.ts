import type { KnowledgeBase } from './knowledge-base.ts';
import { type Parameter, type PolicyEntry, isResolvedParam } from './schema.ts';
import { withEnds } from './parameters.ts';
import { fold } from '../nlu/text.ts';

/**
 * Checks the knowledge base for problems the schema cannot see on its own: dates against today,
 * cross-references between entries, phrasings claimed twice, placeholders naming missing params,
 * overlapping dated values. Returns one human-readable line per problem (empty when all is well).
 */

/** Folded form for comparing phrasings (the NLU's folding, spaces collapsed). */
export function foldVi(text: string): string {
  return fold(text.normalize('NFC')).replace(/\s+/g, ' ').trim();
}

/** Is `u` a well-formed https URL with a real host name? */
export function isHttpsUrl(u: string): boolean {
  if (typeof u !== 'string' || /\s/.test(u)) return false;
  try {
    const url = new URL(u);
    return url.protocol === 'https:' && /^[a-z0-9.-]+\.[a-z]{2,}$/i.test(url.hostname) && u.startsWith('https://');
  } catch {
    return false;
  }
}

const KNOWN_MODIFIERS = new Set(['month', 'from', 'prev', 'prev_to', 'exact']);
/** Words that show the resident a fact is not settled (required in an unconfirmed short_answer). */
const CAUTION_WORDS = [
  'chua duoc xac nhan',
  'chua xac nhan',
  'hoi lai',
  'vui long hoi',
  'nen hoi',
  'can hoi',
  'chua co huong dan',
  'chua ro',
];

const isIso = (s: string | undefined): s is string => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(s);

/** A short answer fits a phone screen: the direct answer first, about three short sentences. */
export const SHORT_ANSWER_MAX = 380;

/** A legal basis names the instrument first ("Nghị định 338/2025/NĐ-CP ..."), not a newspaper title. */
const INSTRUMENT_NAME =
  /^(Luật|Bộ luật|Pháp lệnh|Hiến pháp|Nghị định|Nghị quyết|Quyết định|Thông tư|Thông tư liên tịch|Chỉ thị|Công văn|Văn bản|Kế hoạch|Hướng dẫn|Thông báo|Quy chế|Điều lệ)(?=\s|$)/u;

/** Links to foreign-language editions (English, German, Japanese...) of Vietnamese pages. */
const FOREIGN_EDITION =
  /^https:\/\/(english\.|eng\.|en\.|news\.laodong\.vn|ja\.laodong|ko\.laodong|fr\.laodong|sggpnews\.|vietnamnews\.vn|vnnow\.net|xe\.today|tuoitrenews|e\.vnexpress)|\/(en|de|ja|pt|fr|ko)\/|lawnet\.vn\/.*\/en\/|luatvietnam\.vn\/legal-updates|\/english\//i;

/** Is this link a foreign-language edition rather than a Vietnamese page? */
export function isForeignEdition(url: string): boolean {
  return FOREIGN_EDITION.test(url);
}

/** Every text of an entry that is rendered as a template. */
function templates(entry: PolicyEntry): { where: string; text: string }[] {
  const out: { where: string; text: string }[] = [{ where: 'short_answer', text: entry.short_answer }];
  entry.details.forEach((d, i) => {
    out.push({ where: `details[${i}].heading`, text: d.heading });
    d.lines.forEach((l, j) => out.push({ where: `details[${i}].lines[${j}]`, text: l }));
  });
  if (entry.caution) out.push({ where: 'caution', text: entry.caution });
  return out;
}

export function validateKnowledge(kb: KnowledgeBase, today: string): string[] {
  const problems: string[] = [];
  const ids = new Map<string, number>();
  for (const e of kb.entries) ids.set(e.id, (ids.get(e.id) ?? 0) + 1);
  for (const [id, n] of ids) if (n > 1) problems.push(`${id}: id bị trùng (${n} mục)`);

  const phrasingOwner = new Map<string, { id: string; text: string }>();

  for (const e of kb.entries) {
    const p = (msg: string) => problems.push(`${e.id}: ${msg}`);

    // Citations and legal basis.
    if (!e.legal_basis?.length) p('thiếu căn cứ pháp lý (legal_basis)');
    if (!e.sources?.length) p('thiếu nguồn trích dẫn (sources)');
    e.legal_basis.forEach((b, i) => {
      if (!b.instrument || b.instrument.trim().length < 3) p(`legal_basis[${i}]: thiếu tên văn bản`);
      if (b.url !== undefined && !isHttpsUrl(b.url)) p(`legal_basis[${i}].url không phải liên kết https hợp lệ: ${b.url}`);
      if (b.effective_from && b.effective_to && b.effective_to < b.effective_from) {
        p(`legal_basis[${i}]: effective_to ${b.effective_to} trước effective_from ${b.effective_from}`);
      }
      if (!INSTRUMENT_NAME.test(b.instrument.trim())) {
        p(`legal_basis[${i}]: tên văn bản phải đứng đầu (Luật, Nghị định, Quyết định, Thông tư, Nghị quyết...): "${b.instrument}"`);
      }
      if (b.article) {
        const art = foldVi(b.article);
        if (foldVi(b.instrument).includes(art))
          p(`legal_basis[${i}]: điều khoản "${b.article}" đã có trong tên văn bản (mỗi điều chỉ ghi một lần)`);
        const arts = foldVi(b.article).match(/dieu \d+/g) ?? [];
        if (new Set(arts).size !== arts.length) p(`legal_basis[${i}]: điều khoản lặp lại trong "${b.article}"`);
      }
    });
    const citedTwice = new Set<string>();
    for (const b of e.legal_basis) {
      const key = `${foldVi(b.instrument)}|${foldVi(b.article ?? '')}`;
      if (citedTwice.has(key)) p(`legal_basis: "${b.instrument}${b.article ? `, ${b.article}` : ''}" ghi hai lần`);
      citedTwice.add(key);
    }
    e.sources.forEach((s, i) => {
      if (!isHttpsUrl(s)) p(`sources[${i}] không phải liên kết https hợp lệ: ${s}`);
    });

    // Status against dates.
    if (e.effective_to && e.effective_to < today && e.status !== 'superseded' && e.status !== 'ended') {
      p(`hết hiệu lực từ ${e.effective_to} nhưng status là "${e.status}" (phải là superseded hoặc ended)`);
    }
    if (e.status === 'superseded' && !(e.effective_to && e.effective_to < today)) {
      p('status "superseded" cần effective_to là một ngày đã qua');
    }
    if (e.effective_from && e.effective_to && e.effective_to < e.effective_from) {
      p(`effective_to ${e.effective_to} trước effective_from ${e.effective_from}`);
    }
    if (e.last_verified > today) p(`last_verified ${e.last_verified} ở tương lai`);
    if (e.status === 'unconfirmed') {
      if (!e.caution?.trim()) p('status "unconfirmed" nhưng thiếu caution');
      const folded = foldVi(e.short_answer);
      if (!CAUTION_WORDS.some((w) => folded.includes(w))) {
        p('status "unconfirmed": short_answer phải có lời lưu ý (ví dụ "chưa được xác nhận", "vui lòng hỏi lại UBND xã")');
      }
    }
    if (!e.short_answer.trim().startsWith('Dạ')) p('short_answer phải bắt đầu bằng "Dạ,"');
    const now = new Date(`${today}T05:00:00Z`);
    const current = kb.isCurrent(e, now);
    const shortText = kb.render(
      e,
      e.short_answer.trim().replace(/\s+/g, ' '),
      current ? now : new Date(`${e.effective_to ?? e.effective_from ?? today}T05:00:00Z`),
    );
    if (shortText.length > SHORT_ANSWER_MAX) {
      p(`short_answer dài ${shortText.length} ký tự (tối đa ${SHORT_ANSWER_MAX}): câu trả lời trực tiếp trước, chi tiết để ở details`);
    }
    if (current) {
      for (const t of templates(e)) {
        const text = kb.render(e, t.text, now);
        if (text.includes('(chưa có mức áp dụng)'))
          p(`${t.where}: có tham số không có giá trị ngày ${today} (hiện "(chưa có mức áp dụng)")`);
        const doubled = /\/(tháng|năm|ngày|khóa học|người)\/\1(?![\p{L}])/u.exec(text);
        if (doubled) p(`${t.where}: đơn vị lặp "/${doubled[1]}/${doubled[1]}" (đơn vị của tham số đã có "/${doubled[1]}")`);
      }
    }
    const headings = new Set<string>();
    for (const d of e.details) {
      const key = foldVi(d.heading);
      if (headings.has(key)) p(`details: hai mục cùng tiêu đề "${d.heading}"`);
      headings.add(key);
    }

    // Cross-references.
    for (const r of e.related) {
      if (!ids.has(r)) p(`related "${r}" không tồn tại`);
      if (r === e.id) p('related trỏ tới chính nó');
    }
    if (e.superseded_by && !ids.has(e.superseded_by)) p(`superseded_by "${e.superseded_by}" không tồn tại`);

    // Phrasings: 6-15, each owned by one entry.
    if (e.phrasings.length < 6 || e.phrasings.length > 15) p(`cần 6-15 cách hỏi (phrasings), đang có ${e.phrasings.length}`);
    const own = new Set<string>();
    for (const ph of e.phrasings) {
      const key = foldVi(ph);
      if (own.has(key)) {
        p(`cách hỏi "${ph}" lặp lại trong cùng mục`);
        continue;
      }
      own.add(key);
      const owner = phrasingOwner.get(key);
      if (owner && owner.id !== e.id) p(`cách hỏi "${ph}" trùng với mục "${owner.id}" ("${owner.text}")`);
      else phrasingOwner.set(key, { id: e.id, text: ph });
    }

    // Placeholders name existing params.
    for (const t of templates(e)) {
      for (const m of t.text.matchAll(/\{([^{}]*)\}/g)) {
        const [name, mod, ...rest] = m[1].split('.');
        if (!/^[a-z0-9_]+$/.test(name ?? '') || rest.length) {
          p(`${t.where}: placeholder không hợp lệ {${m[1]}}`);
          continue;
        }
        if (!e.params[name]) p(`${t.where}: placeholder {${m[1]}} nhắc tới tham số "${name}" không có trong params`);
        if (mod !== undefined && !KNOWN_MODIFIERS.has(mod)) p(`${t.where}: placeholder {${m[1]}} có hậu tố "${mod}" không được hỗ trợ`);
      }
    }
    const params = Object.entries(e.params).filter((x): x is [string, Parameter] => isResolvedParam(x[1]));
    if (e.status === 'unconfirmed' || params.some(([, par]) => par.history.some((h) => h.unconfirmed))) {
      if (!e.caution?.trim()) p('có giá trị chưa xác nhận (unconfirmed: true) nhưng thiếu caution');
    }

    // Param histories: well-ordered, not overlapping, bases that exist.
    for (const [name, par] of params) {
      const hist = [...par.history].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
      hist.forEach((h, i) => {
        if (h.to && h.to < h.from) p(`params.${name}: mức ${h.value} có to ${h.to} trước from ${h.from}`);
        if (typeof h.basis === 'number' && !e.legal_basis[h.basis]) p(`params.${name}: basis ${h.basis} không có trong legal_basis`);
        if (typeof h.basis === 'object' && h.basis.url && !isHttpsUrl(h.basis.url)) {
          p(`params.${name}: basis.url không phải liên kết https hợp lệ: ${h.basis.url}`);
        }
        if (par.unit !== 'text' && typeof h.value !== 'number') p(`params.${name}: giá trị "${h.value}" phải là số (đơn vị ${par.unit})`);
        const next = hist[i + 1];
        if (!next) return;
        if (!h.to || !isIso(h.to))
          p(`params.${name}: mức từ ${h.from} không có ngày kết thúc nhưng có mức sau từ ${next.from} (chồng lấn)`);
        else if (next.from <= h.to) p(`params.${name}: mức từ ${h.from} đến ${h.to} chồng lấn với mức từ ${next.from}`);
      });
    }
  }
  return problems;
}

export interface FreshnessOptions {
  /** An entry last checked more than this many days ago is reported (default 180). */
  staleDays?: number;
  /** A dated value ending within this many days with no successor is reported (default 60). */
  horizonDays?: number;
}

function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * Freshness report (warnings, not errors): entries whose `last_verified` is more than `staleDays`
 * old, dated values (in entries and in the shared parameter tree) that end within `horizonDays`
 * with no successor, and links to foreign-language editions. One line per finding.
 */
export function freshnessWarnings(kb: KnowledgeBase, today: string, options: FreshnessOptions = {}): string[] {
  const staleDays = options.staleDays ?? 180;
  const horizon = addDays(today, options.horizonDays ?? 60);
  const staleBefore = addDays(today, -staleDays);
  const out: string[] = [];
  const ending = (to: string | undefined) => Boolean(to && to >= today && to <= horizon);
  for (const e of kb.entries) {
    if (e.last_verified < staleBefore)
      out.push(`${e.id}: kiểm tra lần cuối ${e.last_verified}, quá ${staleDays} ngày (trước ${staleBefore})`);
    if (e.status === 'ended' || e.status === 'superseded') continue;
    if (ending(e.effective_to)) {
      out.push(
        `${e.id}: hết hiệu lực ${e.effective_to}; sau ngày đó đổi status thành "superseded" hoặc "ended"${e.superseded_by ? ` (thay bằng ${e.superseded_by})` : ''}`,
      );
    }
    // An entry that ends itself and names its successor hands its values over to that entry.
    const handedOver = (to: string) => Boolean(e.superseded_by && e.effective_to && e.effective_to <= to);
    for (const [name, spec] of Object.entries(e.params)) {
      if (!isResolvedParam(spec) || spec.ref) continue; // shared values are reported once, below
      const last = [...spec.history].sort((a, b) => (a.from < b.from ? -1 : 1)).pop();
      if (last && ending(last.to) && !handedOver(last.to as string)) {
        out.push(`${e.id}: params.${name} (${last.value}) hết áp dụng ${last.to}, chưa có mức kế tiếp`);
      }
    }
    for (const url of [...e.sources, ...e.legal_basis.map((b) => b.url ?? '')]) {
      if (url && isForeignEdition(url)) out.push(`${e.id}: liên kết bản tiếng nước ngoài, nên thay bằng trang tiếng Việt: ${url}`);
    }
  }
  for (const p of kb.parameters.all()) {
    const last = withEnds(p.values).pop();
    if (last && ending(last.end))
      out.push(`parameters/${p.id}: giá trị ${last.value ?? last.formula} hết áp dụng ${last.end}, chưa có giá trị kế tiếp`);
    for (const url of p.reference) if (isForeignEdition(url)) out.push(`parameters/${p.id}: liên kết bản tiếng nước ngoài: ${url}`);
  }
  return [...new Set(out)];
}
