import type { TurnResult } from '../domain/types.ts';
import type { Flow, TurnContext } from './context.ts';
import type { TopicDecision } from './classify.ts';
import type { LanguageKit } from '../knowledge/language-kit.ts';
import { maskPersonalData } from '../privacy/mask.ts';

/**
 * Household facts in free text ("nhà tôi 5 người, thu nhập 6 triệu…") lead to the guided eligibility
 * check: started at once when the message asks for it, joined with facts from earlier messages, or
 * offered with a button when the facts come without a question. Returns null when none applies.
 */
export function startFlowOrOfferCheck(ctx: TurnContext, decision: TopicDecision, flows: Flow[], kit: LanguageKit): TurnResult | null {
  const { nlu, session } = ctx;
  const text = nlu.original;
  // A guided flow may start only when the message is about the standard/classification, or carries
  // the facts of a household (income with members); never on a question that is clearly about a benefit.
  const e = nlu.entities;
  const mayStartFlow =
    decision.topic === 'poverty_standard' ||
    /\bkiem tra\b/.test(nlu.folded) ||
    (e.money.length > 0 && (e.members !== null || e.areaType !== null || e.money.some((m) => m.perPerson)));
  if (mayStartFlow) {
    for (const flow of flows) {
      const r = flow.tryStart(ctx);
      if (r) return r;
    }
  }
  const someFact = e.money.length > 0 || e.members !== null || e.areaType !== null;
  const earlierFacts = typeof session.memo?.facts === 'string' ? session.memo.facts : undefined;
  // Facts may come over several messages ("3 người" … "thu nhập 4tr1 tháng"): read them together.
  // Only masked text is remembered or put in a button: never an ID, phone or account number.
  const factText = someFact ? maskPersonalData(earlierFacts ? `${earlierFacts}. ${nlu.original}` : nlu.original).slice(-400) : '';
  const joinedFacts = factText && earlierFacts ? kit.nlu.understand(factText).entities : e;
  const hasFacts =
    someFact &&
    joinedFacts.money.length > 0 &&
    (joinedFacts.members !== null || joinedFacts.areaType !== null || joinedFacts.money.some((m) => m.perPerson));
  if (earlierFacts && decision.topic === 'poverty_standard' && !hasFacts) {
    // "Nhà tui 4 người ở quê, tháng kiếm 5 triệu" … "vậy có được vô hộ cận nghèo hông": join the two.
    const joined: TurnContext = { ...ctx, nlu: kit.nlu.understand(`${earlierFacts}. ${text}`) };
    for (const flow of flows) {
      const r = flow.tryStart(joined);
      if (r) {
        delete session.memo!.facts;
        return r;
      }
    }
  }
  if (someFact && !hasFacts && decision.confidence < 0.5 && flows.length) {
    session.memo = { ...(session.memo ?? {}), facts: factText };
  }
  if (hasFacts && decision.confidence < 0.6 && flows.length) {
    // Facts about a household but no question: offer the check rather than guessing a topic.
    session.memo = { ...(session.memo ?? {}), facts: factText };
    return {
      topic: 'poverty_standard',
      household: null,
      confidence: 0.55,
      outcome: 'clarify',
      replies: [
        {
          text: 'Dạ, anh/chị muốn em kiểm tra thử hộ mình có thuộc diện hộ nghèo, hộ cận nghèo theo chuẩn hiện hành không ạ? Anh/chị bấm nút dưới đây, hoặc hỏi tiếp, ví dụ "vậy có được vô hộ cận nghèo không".',
          buttons: [
            { label: 'Kiểm tra hộ nghèo', payload: `ask:kiểm tra hộ nghèo: ${factText}`.slice(0, 290) },
            ...ctx.services.knowledge.entries
              .filter(
                (en) =>
                  en.topic === 'poverty_standard' && en.id.startsWith('poverty-standard-') && ctx.services.knowledge.isCurrent(en, ctx.now),
              )
              .slice(0, 1)
              .map((en) => ({ label: 'Chuẩn nghèo hiện nay', payload: `kb:${en.id}` })),
          ],
        },
      ],
    };
  }
  return null;
}
