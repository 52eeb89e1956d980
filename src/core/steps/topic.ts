import type { Button, HouseholdType, Topic, TurnResult } from '../../domain/types.ts';
import { POLICY_TOPICS } from '../../domain/types.ts';
import type { PolicyEntry } from '../../knowledge/schema.ts';
import { languageKitFor } from '../../knowledge/language-kit.ts';
import { TOPIC_LABELS } from '../menus.ts';
import type { TurnContext } from '../context.ts';
import type { Turn, TurnStep } from '../pipeline.ts';
import { decideTopic, householdFor, type TopicDecision } from '../classify.ts';
import { candidateButtons, declineReply, fallback, feedbackButtons, smalltalk, statsExamples } from '../replies.ts';
import { rankEntries } from '../pick-entry.ts';
import { policyReply, type PolicyView, yesNoClause } from '../policy-answer.ts';
import { askedPart } from '../asked-part.ts';
import { splitSentences } from '../../nlu/focus.ts';
import { fold } from '../../nlu/text.ts';
import { remember } from '../memory.ts';
import { startFlowOrOfferCheck } from './household-facts.ts';
import { isoDateInVietnam } from '../../format/vi.ts';

/** Confidence at or above which the engine answers outright. */
export const ANSWER_THRESHOLD = 0.5;
/** Below this the engine asks to rephrase instead of offering choices. */
export const CLARIFY_THRESHOLD = 0.3;

/**
 * The last step: decide what the message is about, let household facts lead to the guided check,
 * then answer with the topic's skill (small talk, a decline, statistics, or a policy entry).
 */
export const topicStep: TurnStep = {
  name: 'topic',
  async run(turn: Turn): Promise<TurnResult> {
    const { ctx } = turn;
    const decision = decideTopic(ctx, turn.kit);
    const started = startFlowOrOfferCheck(turn, decision);
    if (started) return remember(ctx.session, started);
    const household = householdFor(ctx, decision, ctx.session);
    const result = await answerTopic(ctx, decision, household);
    return remember(ctx.session, result, ctx);
  },
};

async function answerTopic(ctx: TurnContext, d: TopicDecision, household: HouseholdType | null): Promise<TurnResult> {
  const base = { household, confidence: d.confidence };
  if (d.confidence < CLARIFY_THRESHOLD) return fallback(d, household);

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
    const choices = candidateButtons(d, household);
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

  const previousEntry = ctx.session.entryId;
  const ranked = rankEntries(ctx, d, household);
  const entry = ranked[0];
  if (!entry) return fallback(d, household);
  // A household type the person did not say is asked, never assumed.
  const ask = household ? null : askHousehold(ctx, ranked, d);
  if (ask) return { ...base, topic: d.topic, ...ask };
  ctx.session.entryId = entry.id;
  // "thế năm 2022?", "lãi suất năm 2024": a short question about another year gets the values of that year.
  const year = ctx.nlu.entities.year;
  const thisYear = Number(isoDateInVietnam(ctx.now).slice(0, 4));
  const asOf =
    year && year !== thisYear && ctx.nlu.tokens.length <= 10
      ? new Date(year < thisYear ? `${year}-12-31T12:00:00Z` : `${year}-01-01T12:00:00Z`)
      : null;
  // The part asked ("thủ tục", "giấy tờ", "lãi bao nhiêu"): a follow-up on the same entry gets only that
  // part; a first question gets the part when it asks for the procedure or the papers.
  const part = askedPart(ctx.nlu, d.reading);
  const sameEntry = d.followUp && previousEntry === entry.id;
  const hasPart = (k: string) => entry.details.some((x) => x.kind === k);
  const view: PolicyView = part && hasPart(part) && (sameEntry || part === 'procedure' || part === 'documents') ? part : 'first';
  // A first question that also asks yes or no ("có được miễn không, thủ tục thế nào?") gets the verdict before the part.
  const verdict = view !== 'first' && !sameEntry && yesNoClause(ctx.nlu.folded) !== null;
  const reply = policyReply(ctx.services.knowledge, entry, asOf ?? ctx.now, {
    folded: ctx.nlu.folded,
    view,
    greeting: isLetter(ctx),
    verdict,
  });
  if (asOf && year)
    reply.text = `(Theo quy định áp dụng ${year < thisYear ? 'cuối' : 'đầu'} năm ${year}.)\n${reply.text.replace(/hiện nay/g, `năm ${year}`)}`;
  const letter = isLetter(ctx);
  const extra = [...otherQuestions(ctx, d, turnKit(ctx)), ...(letter ? pointers(ctx, d.topic) : [])];
  if (extra.length)
    reply.text += `\nAnh/chị cũng có thể xem: ${extra.map((b) => b.label.replace(/^Hỏi tiếp: /, '').toLowerCase()).join('; ')} (bấm nút bên dưới).`;
  reply.buttons = [...extra, ...(reply.buttons ?? []), ...feedbackButtons(entry.id)];
  return { ...base, topic: d.topic, entry: entry.id, replies: [reply], outcome: 'answered' };
}

/**
 * When the best entry is for one household type and the person did not say theirs, ask which type,
 * with one button per type that has its own entry in this topic ("Hộ nghèo", "Hộ cận nghèo", …).
 */
function askHousehold(ctx: TurnContext, ranked: PolicyEntry[], d: TopicDecision): Pick<TurnResult, 'replies' | 'outcome'> | null {
  if (d.followUp) return null;
  const kb = ctx.services.knowledge;
  // Only when the best entry itself is for one household type: the answer depends on the type.
  if (ranked[0].households.length !== 1) return null;
  // Among the best few entries (by both readings), at least two of one family, each for its own household type.
  const pool = [
    ...ranked.slice(0, 4),
    ...d.hits
      .filter((h) => h.entry.topic === d.topic)
      .slice(0, 3)
      .map((h) => h.entry),
  ];
  const single = pool.filter((e) => e.households.length === 1 && kb.isCurrent(e, ctx.now));
  const head = single[0];
  if (!head) return null;
  const types = new Map<HouseholdType, PolicyEntry>();
  for (const e of single) if (sameFamily(e.id, head.id) && !types.has(e.households[0])) types.set(e.households[0], e);
  if (types.size < 2) return null;
  // The family's entries for the other types, even when they ranked lower.
  for (const e of kb.entries)
    if (
      e.households.length === 1 &&
      sameFamily(e.id, head.id) &&
      e.topic === head.topic &&
      kb.isCurrent(e, ctx.now) &&
      !types.has(e.households[0])
    )
      types.set(e.households[0], e);
  return {
    outcome: 'clarify',
    replies: [
      {
        text: 'Dạ, câu trả lời tùy loại hộ. Anh/chị thuộc loại hộ nào ạ?',
        buttons: [...types.entries()].map(([h, e]) => ({ label: HOUSEHOLD_LABELS[h], payload: `kb:${e.id}` })),
      },
    ],
  };
}

/** Entries of one family share their id's first word ("loan-poor-household" and "loan-near-poor-household"). */
function sameFamily(a: string, b: string): boolean {
  return a.split('-')[0] === b.split('-')[0];
}

const HOUSEHOLD_LABELS: Record<HouseholdType, string> = {
  poor: 'Hộ nghèo',
  near_poor: 'Hộ cận nghèo',
  escaped: 'Hộ mới thoát nghèo',
  average: 'Hộ có mức sống trung bình',
};

/**
 * A message that asks two or three things: the main question is answered, and each other question
 * about another topic is offered as a button that asks it ("Hỏi tiếp: Bảo hiểm y tế").
 */
function otherQuestions(ctx: TurnContext, d: TopicDecision, kit: TurnKit): Button[] {
  if (!kit.model) return [];
  // The sentences of the reading the model knows (`plain`), and of the original as typed (folding keeps
  // lengths), so each other question can be offered in the person's own words.
  const plain = splitSentences(ctx.nlu.plain);
  if (plain.filter((s) => s.asks).length < 2) return [];
  const original = ctx.nlu.original;
  const typed = splitSentences(fold(original));
  const out: Button[] = [];
  const seen = new Set<string>([d.topic]);
  plain.forEach((s, i) => {
    if (!s.asks || out.length >= 2) return;
    const [top] = kit.model!.topicOfPlain(s.text);
    if (!top || top.p < 0.6 || seen.has(top.label) || !ASKABLE.has(top.label as Topic)) return;
    seen.add(top.label);
    const t = typed.length === plain.length ? typed[i] : undefined;
    const text = t ? original.slice(t.start, t.end) : s.text;
    out.push({ label: `Hỏi tiếp: ${TOPIC_LABELS[top.label as Topic]}`, payload: `ask:${text}`.slice(0, 290) });
  });
  return out;
}

const ASKABLE: ReadonlySet<Topic> = new Set([...POLICY_TOPICS, 'statistics']);

/** Short pointers from the circumstances of a letter to the supports the answer did not cover. */
function pointers(ctx: TurnContext, answered: Topic): Button[] {
  const kit = turnKit(ctx);
  return kit.lexicon.pointers
    .filter((p) => ctx.nlu.mentions.includes(p.id) && p.topic !== answered)
    .slice(0, 3)
    .map((p) => ({ label: p.label, payload: p.payload }));
}

type TurnKit = ReturnType<typeof languageKitFor>;
const turnKit = (ctx: TurnContext): TurnKit => languageKitFor(ctx.services.knowledge, ctx.services.language);

/** A letter: several sentences of circumstances before the question. It gets a greeting first. */
function isLetter(ctx: TurnContext): boolean {
  return ctx.nlu.original.length > 220 || splitSentences(ctx.nlu.plain).length >= 3;
}
