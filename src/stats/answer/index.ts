import type { TurnContext } from '../../core/context.ts';
import type { Reply, TurnResult } from '../../domain/types.ts';
import { isoDateInVietnam } from '../../format/vi.ts';
import type { Indicator } from '../catalog.ts';
import type { Resolution } from '../resolve/index.ts';
import { comparison, districtRanking, planRatio, total } from './extras.ts';
import { type Acc, answerOne, type FigureCtx, newAcc } from './figures.ts';
import { lcFirst, measureSay } from './format.ts';
import { readMemo, type StatsMemo, writeMemo } from './memo.ts';
import { placeAnswer } from './place.ts';
import { planAnswer } from './plan.ts';
import { nationalRanking } from './ranking.ts';
import { chartImage, citationsOf, renderText } from './render.ts';
import { Series } from './series.ts';
import type { AnswerDeps } from './types.ts';

export { formatValue } from './format.ts';
export { hasMemo, readMemo, type StatsMemo } from './memo.ts';
export type { AnswerDeps } from './types.ts';

/**
 * Builds the answer to a statistics question, in steps that each live in their own module: plan
 * (what was asked), figures (the value, series or "chưa có" for each indicator and area), extras
 * (ranking, plan ratio, total, comparison), render (text, citations, chart) and memo (what a
 * follow-up may reuse). Returns null only when no indicator can be identified.
 */
export function buildAnswer(ctx: TurnContext, res: Resolution, deps: AnswerDeps): TurnResult | null {
  const today = isoDateInVietnam(ctx.now);
  const memo = readMemo(ctx.session);
  const plan = planAnswer(res, memo, deps, today);
  if (!plan) return null;
  const fc: FigureCtx = { plan, res, today, deps, series: new Series(deps) };

  if (res.place) {
    const { text, buttons } = placeAnswer(res.place, fc);
    remember(
      ctx,
      plan.inds,
      plan.main.map((l) => l[0].id),
      plan.points,
    );
    return { replies: [{ text, buttons }], topic: 'statistics', household: null, confidence: 0.6, outcome: 'answered' };
  }
  if (res.measure && !plan.inds.some((i) => i.measure === res.measure)) {
    remember(ctx, plan.inds, [], plan.points);
    return {
      replies: [{ text: missingMeasure(res, plan.inds, deps) }],
      topic: 'statistics',
      household: null,
      confidence: 0.6,
      outcome: 'answered',
    };
  }

  const acc = newAcc();
  if (!nationalRanking(fc, acc)) for (const ind of plan.inds) for (const cands of plan.main) answerOne(ind, cands, fc, acc);
  // A change indicator with no figure of its own adds nothing when the change was computed from the figures shown.
  if (res.wantsChange && acc.changes > 0) acc.absent = acc.absent.filter((a) => a.ind.kind !== 'change');
  absentLines(acc, plan.main.length);
  districtRanking(fc, acc);
  planRatio(fc, acc);
  total(fc, acc);
  comparison(fc, acc);

  let image: Reply['image'];
  let lead = '';
  if (acc.chart && (res.chart || res.trend)) {
    image = chartImage(acc.chart, deps.catalog);
    // "có biểu đồ không" is answered "Dạ có"; "vẽ biểu đồ" is simply done.
    const yesNo = deps.words.yesNoEndings.has(res.allTokens[res.allTokens.length - 1] ?? '');
    if (res.chart)
      lead = `Dạ${yesNo ? ' có' : ''}, em gửi kèm biểu đồ ${lcFirst(acc.chart[0].ind.label)} của ${acc.chart[0].area.displayName} (ảnh bên dưới). `;
  } else if (res.chart && acc.lines.length)
    lead = 'Dạ, chưa vẽ được biểu đồ vì chưa có từ hai số liệu trở lên cùng chỉ tiêu cho địa bàn này; ';
  const text = renderText(acc.lines, acc.notes, acc.used, deps.catalog, lead);
  const first = acc.used[0];
  // After a ranking, a follow-up ("vẽ biểu đồ") is about the area asked, not the first province listed.
  const areaIds = plan.main.map((l) => (plan.main.length === 1 && first && !res.ranking ? first.area.id : l[0].id));
  remember(ctx, plan.inds, areaIds, plan.points.length ? plan.points : first ? [{ kind: 'date', date: first.as_of }] : []);

  const confidence = acc.exact > 0 && acc.missing === 0 ? 0.9 : acc.exact > 0 ? 0.75 : 0.6;
  const reply: Reply = { text, citations: citationsOf(acc.used) };
  const buttons = [...acc.buttons];
  if (!res.trend && !res.ranking) buttons.push(trendButton(plan.inds[0], first?.area.name ?? plan.main[0][0].name, deps));
  if (buttons.length) reply.buttons = buttons;
  if (image) reply.image = image;
  return { replies: [reply], topic: 'statistics', household: null, confidence, outcome: 'answered' };
}

function remember(ctx: TurnContext, inds: Indicator[], areas: string[], points: StatsMemo['points']): void {
  writeMemo(ctx.session, { indicators: inds.map((i) => i.id), areas, points });
}

/** Indicators with no figure at all for an area: one line each, or one short line when others were answered. */
function absentLines(acc: Acc, areaCount: number): void {
  if (!acc.absent.length) return;
  if (acc.lines.length === 0) {
    acc.lines.push(...acc.absent.map((a) => ({ t: 'text' as const, text: a.line })));
    return;
  }
  if (areaCount > 1) {
    const byInd = new Map<string, { ind: Indicator; names: string[] }>();
    for (const a of acc.absent) byInd.set(a.ind.id, { ind: a.ind, names: [...(byInd.get(a.ind.id)?.names ?? []), a.area.displayName] });
    for (const { ind, names } of byInd.values())
      acc.lines.push({ t: 'text', text: `Chưa có số liệu ${lcFirst(ind.label)} của: ${names.join(', ')}.` });
  } else {
    const byArea = new Map<string, { name: string; inds: string[] }>();
    for (const a of acc.absent)
      byArea.set(a.area.id, { name: a.area.displayName, inds: [...(byArea.get(a.area.id)?.inds ?? []), lcFirst(a.ind.label)] });
    for (const { name, inds } of byArea.values())
      acc.lines.push({ t: 'text', text: `Chưa có số liệu của ${name} về: ${inds.join('; ')}.` });
  }
}

/** "Số hộ nghèo theo khảo sát mức sống": that measure does not publish this figure. */
function missingMeasure(res: Resolution, inds: Indicator[], deps: AnswerDeps): string {
  const { catalog } = deps;
  const asked = measureSay(catalog, res.measure!);
  const has = [...catalog.indicators.values()].filter((i) => i.measure === res.measure).map((i) => lcFirst(i.label));
  const own = [...new Set(inds.map((i) => measureSay(catalog, i.measure)).filter(Boolean))];
  return (
    `Dạ, chưa có số liệu ${inds.map((i) => lcFirst(i.label)).join(', ')} ${asked}: ` +
    (has.length ? `cách đo này chỉ có ${has.join(', ')}.` : 'hệ thống chưa có số liệu nào theo cách đo này.') +
    (own.length
      ? ` Số liệu ${inds.map((i) => lcFirst(i.label)).join(', ')} chỉ có ${own.join('; ')} (một cách đo khác, không thay thế được cho nhau).`
      : '')
  );
}

/** "Số liệu qua các năm", offered as a question (the core's "ask:" convention), so it reads like any other message. */
function trendButton(ind: Indicator, areaName: string, deps: AnswerDeps): { label: string; payload: string } {
  const phrase = (ind.rawPhrasings.find((p) => !p.includes('...')) ?? ind.label).trim();
  const tagText = ind.tags
    .map((t) => deps.catalog.tagWords.get(t) ?? '')
    .filter(Boolean)
    .join(' ');
  return { label: 'Số liệu qua các năm', payload: `ask:${phrase}${tagText ? ` ${tagText}` : ''} ${areaName} qua các năm`.slice(0, 290) };
}
