import type { HouseholdType, Topic, TurnResult } from '../../domain/types.ts';
import type { PolicyEntry } from '../../knowledge/schema.ts';
import type { Turn, TurnStep } from '../pipeline.ts';
import { introReply, TOPIC_LABELS, topicButtons } from '../menus.ts';
import { coreReply, feedbackButtons, statsExamples } from '../replies.ts';
import { policyReply, shortTitle, type PolicyView } from '../policy-answer.ts';
import { DETAIL_KINDS } from '../../knowledge/schema.ts';

type ButtonHandler = (turn: Turn, payload: string) => Promise<TurnResult | null> | TurnResult | null;

const HOUSEHOLD_LABELS: Record<HouseholdType, string> = {
  poor: 'Hộ nghèo',
  near_poor: 'Hộ cận nghèo',
  escaped: 'Hộ mới thoát nghèo',
  average: 'Hộ có mức sống trung bình',
};

/**
 * Pressed buttons, dispatched by payload prefix (the payload namespaces are a stable interface:
 * `menu`, `cancel`, `stats:`, `fb:`, `topic:`, `kb:`, and each flow's `<name>:`). `ask:` payloads are
 * not buttons here: they are read as typed text by the later steps.
 */
export const buttonsStep: TurnStep = {
  name: 'buttons',
  run(turn) {
    const payload = turn.payload;
    if (!payload) return null;
    const exact = EXACT.get(payload);
    if (exact) return exact(turn, payload);
    for (const [prefix, handler] of PREFIXES) if (payload.startsWith(prefix)) return handler(turn, payload);
    const flow = turn.flows.find((f) => payload.startsWith(`${f.name}:`));
    if (!flow) return null;
    const session = turn.ctx.session;
    return session.flow?.name === flow.name ? (flow.continue(turn.ctx) ?? flow.tryStart(turn.ctx)) : flow.tryStart(turn.ctx);
  },
};

const menu: ButtonHandler = () => coreReply([introReply()]);

// A Map, not an object: a payload such as "constructor" must find nothing.
const EXACT = new Map<string, ButtonHandler>(
  Object.entries({
    menu,
    help: menu,
    start: menu,
    'menu:topics': (): TurnResult => coreReply([{ text: 'Dạ, anh/chị chọn chủ đề cần hỏi:', buttons: topicButtons() }]),
    cancel: ({ ctx }) => {
      const had = Boolean(ctx.session.flow);
      ctx.session.flow = undefined;
      return coreReply(
        [{ text: had ? 'Dạ, em đã hủy bước đang làm.' : 'Dạ, hiện không có bước nào đang làm dở.', buttons: topicButtons() }],
        'flow',
      );
    },
    'stats:menu': () =>
      coreReply(
        [
          {
            text: 'Dạ, anh/chị hỏi số liệu theo địa bàn và thời gian, ví dụ "số hộ nghèo Bình Thuận cuối năm 2023". Một vài câu hỏi mẫu:',
            buttons: statsExamples(),
          },
        ],
        'answered',
        'statistics',
      ),
  }),
);

const PREFIXES: Array<[string, ButtonHandler]> = [
  ['stats:', async ({ ctx }) => (ctx.services.stats ? await ctx.services.stats.answer(ctx) : null)],
  [
    'fb:',
    (_turn, payload) =>
      coreReply([
        {
          text: payload.startsWith('fb:up')
            ? 'Dạ, em cảm ơn anh/chị đã góp ý.'
            : 'Dạ, em xin lỗi vì câu trả lời chưa đúng ý. Em đã ghi nhận để cán bộ bổ sung. Anh/chị có thể hỏi lại cụ thể hơn, hoặc hỏi UBND xã ạ.',
        },
      ]),
  ],
  ['topic:', (turn, payload) => topicMenu(turn, payload.slice(6) as Topic)],
  ['kb:', (turn, payload) => entryButton(turn, payload)],
];

/** "Vay vốn ưu đãi" pressed: the entries of that topic in force today, or the household types for benefits. */
function topicMenu({ ctx }: Turn, topic: Topic): TurnResult | null {
  const kb = ctx.services.knowledge;
  if (topic === 'benefits_overview') {
    const buttons = (Object.keys(HOUSEHOLD_LABELS) as HouseholdType[])
      .map((h) => kb.entries.find((e) => e.topic === 'benefits_overview' && e.households.includes(h)))
      .filter((e): e is PolicyEntry => Boolean(e))
      .map((e) => ({ label: shortTitle(e.title), payload: `kb:${e.id}` }));
    return coreReply([{ text: 'Dạ, anh/chị thuộc loại hộ nào ạ?', buttons }], 'answered', 'benefits_overview');
  }
  const entries = kb.entries.filter((e) => e.topic === topic && kb.isCurrent(e, ctx.now)).slice(0, 8);
  if (!entries.length) return null;
  ctx.session.topic = topic;
  return coreReply(
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

const isView = (m: string | undefined): m is PolicyView =>
  m === 'first' || m === 'full' || m === 'sources' || (DETAIL_KINDS as readonly string[]).includes(m ?? '');

/** `kb:<id>`, `kb:<id>:full`, `kb:<id>:sources` or `kb:<id>:<part>`: one entry, or one view of it. */
function entryButton({ ctx }: Turn, payload: string): TurnResult {
  const kb = ctx.services.knowledge;
  const session = ctx.session;
  const [, id, mode] = payload.split(':');
  const entry = kb.get(id ?? '');
  if (!entry)
    return coreReply(
      [{ text: 'Dạ, mục này không còn trong cơ sở dữ liệu. Anh/chị chọn lại giúp em ạ.', buttons: topicButtons() }],
      'fallback',
    );
  session.entryId = entry.id;
  session.topic = entry.topic;
  if (entry.households.length === 1) session.household = entry.households[0];
  const view: PolicyView = isView(mode) ? mode : 'first';
  const reply = policyReply(kb, entry, ctx.now, { folded: ctx.nlu.folded, view });
  reply.buttons = [...(reply.buttons ?? []), ...feedbackButtons(entry.id)];
  return {
    replies: [reply],
    topic: entry.topic,
    household: entry.households.length === 1 ? entry.households[0] : null,
    confidence: 1,
    entry: entry.id,
    outcome: 'answered',
  };
}
