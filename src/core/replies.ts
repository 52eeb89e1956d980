import type { Button, HouseholdType, Reply, Topic, TurnResult } from '../domain/types.ts';
import { POLICY_TOPICS } from '../domain/types.ts';
import type { TurnContext } from './context.ts';
import type { TopicDecision } from './classify.ts';
import { CAPABILITIES, introReply, REFERRAL, TOPIC_LABELS, topicButtons } from './menus.ts';
import { shortTitle } from './policy-answer.ts';

/** The ready-made replies of the core: fallbacks, declines, small talk, feedback and choice buttons. */

/** A reply from the core itself (menus, acknowledgements): always sure, never about a household. */
export function coreReply(replies: Reply[], outcome: TurnResult['outcome'] = 'answered', topic: Topic = 'smalltalk'): TurnResult {
  return { replies, topic, household: null, confidence: 1, outcome };
}

/** Up to three likely entries or topics, as buttons, for a question the engine is unsure of. */
export function candidateButtons(d: TopicDecision, household: HouseholdType | null): Button[] {
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
  return buttons;
}

/** The engine did not understand: ask to rephrase, with the likely topics and where to ask a person. */
export function fallback(d: TopicDecision, household: HouseholdType | null): TurnResult {
  const choices = candidateButtons(d, household);
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

/** A polite refusal for questions outside poverty-reduction policy, saying what the bot can do. */
export function declineReply(): Reply {
  return {
    text: `Dạ, câu hỏi này nằm ngoài phạm vi em hỗ trợ, em xin phép không trả lời để tránh thông tin sai. ${CAPABILITIES}\nVới việc khác, anh/chị vui lòng liên hệ cơ quan chuyên trách hoặc UBND xã/phường nơi cư trú ạ.`,
    buttons: topicButtons(),
  };
}

/** Greetings, thanks and goodbyes. */
export function smalltalk(ctx: TurnContext): Omit<TurnResult, 'household' | 'confidence'> {
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

/** 👍 / 👎 under an answer; a 👎 files the question in the editors' inbox. */
export function feedbackButtons(ref: string): Button[] {
  return [
    { label: '👍 Hữu ích', payload: `fb:up:${ref}` },
    { label: '👎 Chưa đúng', payload: `fb:down:${ref}` },
  ];
}

/** Example statistics questions, as buttons. */
export function statsExamples(): Button[] {
  return [
    { label: 'Số hộ nghèo mới nhất', payload: 'ask:số hộ nghèo Bình Thuận mới nhất' },
    { label: 'Tỷ lệ hộ nghèo qua các năm', payload: 'ask:tỷ lệ hộ nghèo Bình Thuận qua các năm' },
    { label: 'Dư nợ cho vay chính sách', payload: 'ask:dư nợ Ngân hàng Chính sách xã hội Bình Thuận mới nhất' },
  ];
}
