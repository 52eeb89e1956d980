import type { HouseholdType, TurnResult } from '../../domain/types.ts';
import type { TurnContext } from '../context.ts';
import type { Turn, TurnStep } from '../pipeline.ts';
import { decideTopic, householdFor, type TopicDecision } from '../classify.ts';
import { candidateButtons, declineReply, fallback, feedbackButtons, smalltalk, statsExamples } from '../replies.ts';
import { pickEntry } from '../pick-entry.ts';
import { policyReply } from '../policy-answer.ts';
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

  const entry = pickEntry(ctx, d, household);
  if (!entry) return fallback(d, household);
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
