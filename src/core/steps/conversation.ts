import type { TurnStep } from '../pipeline.ts';
import { topicButtons } from '../menus.ts';
import { remember } from '../memory.ts';

/** Steps about the conversation itself: an empty message, a cancel word, an active flow. */

/** Nothing to read (only emoji or punctuation): ask for words. */
export const emptyMessageStep: TurnStep = {
  name: 'empty',
  run({ ctx }) {
    if (ctx.nlu.tokens.length) return null;
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
  },
};

/** "hủy", "thôi" while a flow is active: stop it. */
export const cancelStep: TurnStep = {
  name: 'cancel',
  run({ ctx }) {
    if (!ctx.nlu.acts.cancel || !ctx.session.flow) return null;
    ctx.session.flow = undefined;
    return {
      replies: [{ text: 'Dạ, em đã dừng bước đang làm. Anh/chị cần hỏi gì thêm cứ gõ ạ.', buttons: topicButtons() }],
      topic: 'smalltalk',
      household: null,
      confidence: 0.9,
      outcome: 'flow',
    };
  },
};

/** A flow in progress reads the message first; when the person has clearly left it, later steps answer. */
export const activeFlowStep: TurnStep = {
  name: 'flow',
  run(turn) {
    const { ctx } = turn;
    const name = ctx.session.flow?.name;
    if (!name) return null;
    const flow = turn.flows.find((f) => f.name === name);
    if (!flow) {
      ctx.session.flow = undefined;
      return null;
    }
    const r = flow.continue(ctx);
    if (r) return remember(ctx.session, r);
    turn.leftFlow = flow.name;
    return null;
  },
};
