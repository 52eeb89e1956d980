import type { Button, HouseholdType, Incoming, Reply, Session, Topic, TurnResult } from '../domain/types.ts';
import { POLICY_TOPICS } from '../domain/types.ts';
import type { Services, Flow, TurnContext } from './context.ts';
import { languageKitFor, type LanguageKit } from '../knowledge/language-kit.ts';
import { decideTopic, householdFor, type TopicDecision } from './classify.ts';
import { introReply, topicButtons, CAPABILITIES, REFERRAL, TOPIC_LABELS } from './menus.ts';
import { policyReply, shortTitle } from './policy-answer.ts';
import { usageReport } from './usage-report.ts';
import { startFlowOrOfferCheck } from './household-facts.ts';
import { adminCommand } from './admin-commands.ts';
import type { PolicyEntry } from '../knowledge/schema.ts';
import { foldKey } from '../nlu/text.ts';
import { isoDateInVietnam } from '../format/vi.ts';
import { systemClock, type Clock } from '../time/clock.ts';

export interface RespondDeps {
  services: Services;
  flows: Flow[];
  /** The instant answers are computed for. */
  now: Date;
  /** The program's clock (real time for stamps and expiry); the system clock when omitted. */
  clock?: Clock;
}

/** Confidence at or above which the engine answers outright. */
export const ANSWER_THRESHOLD = 0.5;
/** Below this the engine asks to rephrase instead of offering choices. */
export const CLARIFY_THRESHOLD = 0.3;

/**
 * The channel-neutral core: understand → decide → reply. Button payloads are handled first, then an
 * active flow, then flows that want to start, then topic classification and the matching skill.
 * Never throws for any text: unknown input gets a polite reply.
 */
export async function respond(incoming: Incoming, session: Session, deps: RespondDeps): Promise<TurnResult> {
  const kit = languageKitFor(deps.services.knowledge, deps.services.language);
  const payload = typeof incoming.payload === 'string' ? incoming.payload.slice(0, 300) : undefined;
  let text = typeof incoming.text === 'string' ? incoming.text : '';
  if (payload?.startsWith('ask:')) text = payload.slice(4);
  const nlu = kit.nlu.understand(text);
  const ctx: TurnContext = { incoming, nlu, session, now: deps.now, clock: deps.clock ?? systemClock, services: deps.services };

  if (payload && !payload.startsWith('ask:')) {
    const handled = await handlePayload(payload, ctx, deps, kit);
    if (handled) return handled;
  }

  const admin = await adminCommand(ctx);
  if (admin) return admin;

  if (!nlu.tokens.length) {
    return {
      replies: [
        {
          text: 'Dạ, em chưa đọc được câu hỏi. Anh/chị gõ câu hỏi bằng chữ giúp em, có dấu hay không dấu đều được ạ.',
          buttons: topicButtons(),
        },
      ],
      topic: 'smalltalk',
      household: null,
      confidence: 0.3,
      outcome: 'clarify',
    };
  }

  if (nlu.acts.cancel && session.flow) {
    session.flow = undefined;
    return {
      replies: [{ text: 'Dạ, em đã dừng bước đang làm. Anh/chị cần hỏi gì thêm cứ gõ ạ.', buttons: topicButtons() }],
      topic: 'smalltalk',
      household: null,
      confidence: 0.9,
      outcome: 'flow',
    };
  }

  if (session.flow) {
    const flow = deps.flows.find((f) => f.name === session.flow?.name);
    const r = flow?.continue(ctx);
    if (r) return remember(session, r);
    if (!flow) session.flow = undefined;
  }
  const usage = await usageReport(ctx);
  if (usage) return usage;

  const decision = decideTopic(ctx, kit);
  const started = startFlowOrOfferCheck(ctx, decision, deps.flows, kit);
  if (started) return remember(session, started);

  const household = householdFor(ctx, decision, session);
  const result = await answerTopic(ctx, decision, household, kit);
  return remember(session, result, ctx);
}

/** Updates the conversation memory after an answer, for follow-ups. */
function remember(session: Session, r: TurnResult, ctx?: TurnContext): TurnResult {
  if (r.topic !== 'smalltalk' && r.topic !== 'out_of_scope' && r.outcome !== 'fallback' && r.outcome !== 'clarify') {
    session.topic = r.topic;
    if (r.household) session.household = r.household;
  }
  if (ctx?.nlu.entities.year) session.year = ctx.nlu.entities.year;
  return r;
}

async function answerTopic(ctx: TurnContext, d: TopicDecision, household: HouseholdType | null, kit: LanguageKit): Promise<TurnResult> {
  const base = { household, confidence: d.confidence };
  if (d.confidence < CLARIFY_THRESHOLD) return fallback(ctx, d, household);

  if (d.topic === 'smalltalk') return { ...base, ...smalltalk(ctx) };
  if (d.topic === 'out_of_scope') return { ...base, topic: 'out_of_scope', replies: [declineReply()], outcome: 'declined' };
  if (d.topic === 'statistics') {
    const r = ctx.services.stats ? await ctx.services.stats.answer(ctx) : null;
    // The skill knows how well it resolved the figure; the topic decision knows how sure the message asks for one.
    if (r) return { ...r, confidence: Math.min(r.confidence, d.confidence + 0.25) };
    return {
      ...base,
      topic: 'statistics',
      replies: [
        {
          text: 'Dạ, anh/chị muốn xem số liệu nào (số hộ nghèo, tỷ lệ hộ nghèo, dư nợ cho vay, thẻ BHYT...), ở địa bàn nào và năm nào ạ?',
          buttons: statsExamples(),
        },
      ],
      outcome: 'clarify',
    };
  }

  if (d.confidence < ANSWER_THRESHOLD) {
    const choices = candidateButtons(d, ctx, household);
    if (choices.length >= 2) {
      return {
        ...base,
        topic: d.topic,
        replies: [
          {
            text: 'Dạ, em chưa chắc anh/chị hỏi về nội dung nào. Anh/chị chọn giúp em một mục dưới đây, hoặc hỏi rõ hơn ạ:',
            buttons: choices,
          },
        ],
        outcome: 'clarify',
      };
    }
  }

  const entry = pickEntry(ctx, d, household, kit);
  if (!entry) return fallback(ctx, d, household);
  ctx.session.entryId = entry.id;
  // "thế năm 2022?", "lãi suất năm 2024": a short question about another year gets the values of that year.
  const year = ctx.nlu.entities.year;
  const thisYear = Number(isoDateInVietnam(ctx.now).slice(0, 4));
  const asOf =
    year && year !== thisYear && ctx.nlu.tokens.length <= 10
      ? new Date(year < thisYear ? `${year}-12-31T12:00:00Z` : `${year}-01-01T12:00:00Z`)
      : null;
  const reply = policyReply(ctx.services.knowledge, entry, asOf ?? ctx.now, ctx.nlu.folded);
  if (asOf && year)
    reply.text = `(Theo quy định áp dụng ${year < thisYear ? 'cuối' : 'đầu'} năm ${year}.)\n${reply.text.replace(/hiện nay/g, `năm ${year}`)}`;
  reply.buttons = [...(reply.buttons ?? []), ...feedbackButtons(entry.id)];
  return { ...base, topic: d.topic, replies: [reply], outcome: 'answered' };
}

/** The best entry of the decided topic for this question and household type. */
export function pickEntry(ctx: TurnContext, d: TopicDecision, household: HouseholdType | null, kit: LanguageKit): PolicyEntry | null {
  const kb = ctx.services.knowledge;
  const fit = (e: PolicyEntry) => {
    if (!household) return 1;
    if (!e.households.length) return 0.85;
    if (!e.households.includes(household)) return 0.45;
    return e.households.length === 1 ? 1.6 : 1.25;
  };
  const current = (e: PolicyEntry) => (kb.isCurrent(e, ctx.now) ? 1 : 0.35);
  const padded = ` ${ctx.nlu.folded.replace(/[^a-z0-9]+/g, ' ')} `;
  const has = (term: string) => padded.includes(` ${foldKey(term)} `);
  const hints = (e: PolicyEntry) => (e.prefer_terms.some(has) ? 1.6 : 1) * (e.avoid_terms.some(has) ? 0.35 : 1);
  // A year in the question ("chuẩn nghèo 2027") favours the entry in force that year; otherwise today's.
  const year = ctx.nlu.entities.year;
  const period = (e: PolicyEntry) => {
    if (!year || (!e.effective_from && !e.effective_to)) return 1;
    const from = Number((e.effective_from ?? '0000').slice(0, 4));
    const to = Number((e.effective_to ?? '9999').slice(0, 4));
    return year >= from && year <= to ? 1.8 : 0.6;
  };
  if (d.topic === 'benefits_overview') {
    const hh = household ?? 'poor';
    const overview = kb.entries.find((e) => e.topic === 'benefits_overview' && e.households.includes(hh));
    if (overview) return overview;
  }
  void kit;
  const inTopic = d.hits
    .filter((h) => h.entry.topic === d.topic)
    .map((h) => ({ entry: h.entry, score: h.score * fit(h.entry) * hints(h.entry) * (year ? period(h.entry) : current(h.entry)) }))
    .sort((a, b) => b.score - a.score);
  // A follow-up with no topic words of its own ("thế năm 2022?", "còn cận nghèo?") stays on the previous entry.
  const prevEntry = ctx.session.entryId ? kb.get(ctx.session.entryId) : undefined;
  if (
    d.followUp &&
    prevEntry &&
    prevEntry.topic === d.topic &&
    (!household || !prevEntry.households.length || prevEntry.households.includes(household))
  ) {
    return prevEntry;
  }
  if (inTopic.length) {
    const best = inTopic[0].entry;
    // A rule that has ended answers "now" questions through its successor (superseded_by).
    const successor = !year && !kb.isCurrent(best, ctx.now) && best.superseded_by ? kb.get(best.superseded_by) : undefined;
    return successor && kb.isCurrent(successor, ctx.now) ? successor : best;
  }
  // Follow-up with no matching words: stay on the previous entry's family when it fits the new household.
  const prev = ctx.session.entryId ? kb.get(ctx.session.entryId) : undefined;
  const pool = kb.entries.filter((e) => e.topic === d.topic && kb.isCurrent(e, ctx.now));
  if (prev && prev.topic === d.topic) {
    const sibling = pool
      .filter((e) => household && e.households.includes(household))
      .sort((a, b) => sharedWords(b.id, prev.id) - sharedWords(a.id, prev.id))[0];
    if (sibling) return sibling;
    return prev;
  }
  return pool.sort((a, b) => fit(b) - fit(a))[0] ?? null;
}

function sharedWords(a: string, b: string): number {
  const bs = new Set(b.split('-'));
  return a.split('-').filter((w) => bs.has(w)).length;
}

function candidateButtons(d: TopicDecision, ctx: TurnContext, household: HouseholdType | null): Button[] {
  const buttons: Button[] = [];
  const seen = new Set<string>();
  for (const h of d.hits) {
    if (buttons.length >= 3) break;
    if (household && h.entry.households.length && !h.entry.households.includes(household)) continue;
    if (seen.has(h.entry.topic) && buttons.length >= 2) continue;
    seen.add(h.entry.topic);
    buttons.push({ label: shortTitle(h.entry.title), payload: `kb:${h.entry.id}` });
  }
  for (const r of d.ranked) {
    if (buttons.length >= 3) break;
    if (r.score <= 0 || seen.has(r.topic) || !(POLICY_TOPICS as readonly string[]).includes(r.topic)) continue;
    seen.add(r.topic);
    buttons.push({ label: TOPIC_LABELS[r.topic], payload: `topic:${r.topic}` });
  }
  void ctx;
  return buttons;
}

function fallback(ctx: TurnContext, d: TopicDecision, household: HouseholdType | null): TurnResult {
  const choices = candidateButtons(d, ctx, household);
  return {
    topic: d.topic,
    household,
    confidence: d.confidence,
    outcome: 'fallback',
    replies: [
      {
        text: `Dạ, em chưa hiểu rõ câu hỏi. Anh/chị hỏi lại ngắn gọn hơn giúp em (ví dụ: "hộ cận nghèo vay vốn lãi suất bao nhiêu") hoặc chọn một chủ đề bên dưới ạ.\n${REFERRAL}`,
        buttons: choices.length ? choices : topicButtons(),
      },
    ],
  };
}

function declineReply(): Reply {
  return {
    text: `Dạ, câu hỏi này nằm ngoài phạm vi em hỗ trợ, em xin phép không trả lời để tránh thông tin sai. ${CAPABILITIES}\nVới việc khác, anh/chị vui lòng liên hệ cơ quan chuyên trách hoặc UBND xã/phường nơi cư trú ạ.`,
    buttons: topicButtons(),
  };
}

function smalltalk(ctx: TurnContext): Omit<TurnResult, 'household' | 'confidence'> {
  const f = ctx.nlu.folded;
  if (ctx.nlu.acts.thanks && ctx.nlu.tokens.length <= 20) {
    return {
      topic: 'smalltalk',
      outcome: 'answered',
      replies: [{ text: 'Dạ, không có gì ạ. Anh/chị cần hỏi thêm về chính sách nào cứ nhắn em nhé.', buttons: topicButtons() }],
    };
  }
  if (ctx.nlu.acts.bye) {
    return { topic: 'smalltalk', outcome: 'answered', replies: [{ text: 'Dạ, em chào anh/chị. Chúc gia đình mình mạnh khỏe ạ.' }] };
  }
  return { topic: 'smalltalk', outcome: 'answered', replies: [introReply()] };
}

function feedbackButtons(ref: string): Button[] {
  return [
    { label: '👍 Hữu ích', payload: `fb:up:${ref}` },
    { label: '👎 Chưa đúng', payload: `fb:down:${ref}` },
  ];
}

function statsExamples(): Button[] {
  return [
    { label: 'Số hộ nghèo mới nhất', payload: 'ask:số hộ nghèo Bình Thuận mới nhất' },
    { label: 'Tỷ lệ hộ nghèo qua các năm', payload: 'ask:tỷ lệ hộ nghèo Bình Thuận qua các năm' },
    { label: 'Dư nợ cho vay chính sách', payload: 'ask:dư nợ Ngân hàng Chính sách xã hội Bình Thuận mới nhất' },
  ];
}

const HOUSEHOLD_LABELS: Record<HouseholdType, string> = {
  poor: 'Hộ nghèo',
  near_poor: 'Hộ cận nghèo',
  escaped: 'Hộ mới thoát nghèo',
  average: 'Hộ có mức sống trung bình',
};

async function handlePayload(payload: string, ctx: TurnContext, deps: RespondDeps, kit: LanguageKit): Promise<TurnResult | null> {
  const kb = ctx.services.knowledge;
  const session = ctx.session;
  const small = (replies: Reply[], outcome: TurnResult['outcome'] = 'answered', topic: Topic = 'smalltalk'): TurnResult => ({
    replies,
    topic,
    household: null,
    confidence: 1,
    outcome,
  });

  if (payload === 'menu' || payload === 'help' || payload === 'start') return small([introReply()]);
  if (payload === 'menu:topics') return small([{ text: 'Dạ, anh/chị chọn chủ đề cần hỏi:', buttons: topicButtons() }]);
  if (payload === 'cancel') {
    const had = Boolean(session.flow);
    session.flow = undefined;
    return small(
      [{ text: had ? 'Dạ, em đã hủy bước đang làm.' : 'Dạ, hiện không có bước nào đang làm dở.', buttons: topicButtons() }],
      'flow',
    );
  }
  if (payload === 'stats:menu') {
    return small(
      [
        {
          text: 'Dạ, anh/chị hỏi số liệu theo địa bàn và thời gian, ví dụ "số hộ nghèo Bình Thuận cuối năm 2023". Một vài câu hỏi mẫu:',
          buttons: statsExamples(),
        },
      ],
      'answered',
      'statistics',
    );
  }
  if (payload.startsWith('stats:') && ctx.services.stats) {
    const r = await ctx.services.stats.answer(ctx);
    if (r) return r;
  }
  if (payload.startsWith('fb:')) {
    const up = payload.startsWith('fb:up');
    return small([
      {
        text: up
          ? 'Dạ, em cảm ơn anh/chị đã góp ý.'
          : 'Dạ, em xin lỗi vì câu trả lời chưa đúng ý. Em đã ghi nhận để cán bộ bổ sung. Anh/chị có thể hỏi lại cụ thể hơn, hoặc hỏi UBND xã ạ.',
      },
    ]);
  }
  if (payload.startsWith('topic:')) {
    const topic = payload.slice(6) as Topic;
    if (topic === 'benefits_overview') {
      const buttons = (Object.keys(HOUSEHOLD_LABELS) as HouseholdType[])
        .map((h) => kb.entries.find((e) => e.topic === 'benefits_overview' && e.households.includes(h)))
        .filter((e): e is PolicyEntry => Boolean(e))
        .map((e) => ({ label: shortTitle(e.title), payload: `kb:${e.id}` }));
      return small([{ text: 'Dạ, anh/chị thuộc loại hộ nào ạ?', buttons }], 'answered', 'benefits_overview');
    }
    const entries = kb.entries.filter((e) => e.topic === topic && kb.isCurrent(e, ctx.now)).slice(0, 8);
    if (!entries.length) return null;
    session.topic = topic;
    return small(
      [
        {
          text: `Dạ, về ${TOPIC_LABELS[topic].toLowerCase()}, anh/chị muốn xem nội dung nào ạ? Anh/chị cũng có thể gõ câu hỏi trực tiếp.`,
          buttons: entries.map((e) => ({ label: shortTitle(e.title), payload: `kb:${e.id}` })),
        },
      ],
      'answered',
      topic,
    );
  }
  if (payload.startsWith('kb:')) {
    const [, id, mode] = payload.split(':');
    const entry = kb.get(id ?? '');
    if (!entry)
      return small(
        [{ text: 'Dạ, mục này không còn trong cơ sở dữ liệu. Anh/chị chọn lại giúp em ạ.', buttons: topicButtons() }],
        'fallback',
      );
    session.entryId = entry.id;
    session.topic = entry.topic;
    if (entry.households.length === 1) session.household = entry.households[0];
    const reply = policyReply(kb, entry, ctx.now, ctx.nlu.folded, mode === 'full');
    reply.buttons = [
      ...(reply.buttons ?? []).filter((b) => mode !== 'full' || b.payload !== `kb:${entry.id}:full`),
      ...feedbackButtons(entry.id),
    ];
    return {
      replies: [reply],
      topic: entry.topic,
      household: entry.households.length === 1 ? entry.households[0] : null,
      confidence: 1,
      outcome: 'answered',
    };
  }
  const flowName = payload.split(':')[0];
  const flow = deps.flows.find((f) => f.name === flowName);
  if (flow) {
    const r = session.flow?.name === flow.name ? (flow.continue(ctx) ?? flow.tryStart(ctx)) : flow.tryStart(ctx);
    if (r) return r;
  }
  void kit;
  return null;
}
