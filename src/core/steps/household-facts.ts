import type { TurnResult } from '../../domain/types.ts';
import type { TurnContext } from '../context.ts';
import type { Turn } from '../pipeline.ts';
import type { TopicDecision } from '../classify.ts';
import { z } from 'zod';
import type { Entities } from '../../nlu/types.ts';
import { sessionSlice } from '../session-slice.ts';
import { formatVnd } from '../../format/vi.ts';

/**
 * Household facts in free text ("nhà tôi 5 người, thu nhập 6 triệu…") lead to the guided eligibility
 * check: started at once when the message asks for it, joined with facts from earlier messages, or
 * offered with a button when the facts come without a question. Returns null when none applies.
 */
export function startFlowOrOfferCheck(turn: Turn, decision: TopicDecision): TurnResult | null {
  const { ctx, kit } = turn;
  const flows = turn.flows.filter((f) => f.name !== turn.leftFlow);
  const { nlu, session } = ctx;
  const text = nlu.original;
  // A guided flow may start only when the message is about the standard/classification, or carries
  // the facts of a household (income with members); never on a question that is clearly about a benefit.
  const e = nlu.entities;
  const mayStartFlow =
    decision.topic === 'poverty_standard' ||
    /\bkiem tra\b/.test(nlu.folded) ||
    (e.money.length > 0 && (e.members !== null || e.areaType !== null || e.money.some((m) => m.perPerson)));
  const stored = FACTS.read(session);
  const earlierFacts = stored ? factsText(stored) : undefined;
  if (mayStartFlow) {
    // Facts said earlier come first, so a check started now begins from them ("nhà tui 4 người ở quê …"
    // then "vậy có được vô hộ cận nghèo hông"); facts in this message override them.
    const contexts: TurnContext[] = earlierFacts ? [{ ...ctx, nlu: kit.nlu.understand(`${earlierFacts}. ${text}`) }, ctx] : [ctx];
    for (const c of contexts)
      for (const flow of flows) {
        const r = flow.tryStart(c);
        if (r) {
          if (c !== ctx) FACTS.write(session, undefined);
          return r;
        }
      }
  }
  const someFact = e.money.length > 0 || e.members !== null || e.areaType !== null;
  // Facts may come over several messages ("3 người" … "thu nhập 4tr1 tháng"): read them together.
  // Only the extracted facts are remembered (never the message itself), rendered as a short canonical line.
  const merged = someFact ? mergeFacts(stored, e) : undefined;
  const factText = merged ? factsText(merged) : '';
  const joinedFacts = merged && earlierFacts ? kit.nlu.understand(factText).entities : e;
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
        FACTS.write(session, undefined);
        return r;
      }
    }
  }
  if (merged && !hasFacts && decision.confidence < 0.5 && flows.length) FACTS.write(session, merged);
  if (hasFacts && decision.confidence < 0.6 && flows.length) {
    // Facts about a household but no question: offer the check rather than guessing a topic.
    if (merged) FACTS.write(session, merged);
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

/** Household facts said before the question, kept as extracted values (never the message text). */
const factsSchema = z.object({
  members: z.number().int().min(1).max(50).optional(),
  areaType: z.enum(['rural', 'urban']).optional(),
  money: z
    .array(z.object({ vnd: z.number().min(0), perPerson: z.boolean(), perMonth: z.boolean(), perYear: z.boolean() }))
    .max(3)
    .optional(),
});
type Facts = z.infer<typeof factsSchema>;
const FACTS = sessionSlice('facts', factsSchema);

function mergeFacts(stored: Facts | undefined, e: Entities): Facts {
  const out: Facts = { ...(stored ?? {}) };
  if (e.members !== null) out.members = e.members;
  if (e.areaType !== null) out.areaType = e.areaType;
  if (e.money.length)
    out.money = e.money.slice(0, 3).map((m) => ({ vnd: m.vnd, perPerson: m.perPerson, perMonth: m.perMonth, perYear: m.perYear }));
  return out;
}

/** The facts as one short line the reader understands again: "4 người, nông thôn, thu nhập 5.000.000 đồng/tháng". */
function factsText(f: Facts): string {
  const parts: string[] = [];
  if (f.members) parts.push(`${f.members} người`);
  if (f.areaType) parts.push(f.areaType === 'rural' ? 'nông thôn' : 'thành thị');
  for (const m of f.money ?? [])
    parts.push(`thu nhập ${formatVnd(m.vnd)}${m.perPerson ? '/người' : ''}${m.perYear ? '/năm' : m.perMonth ? '/tháng' : ''}`);
  return parts.join(', ');
}
