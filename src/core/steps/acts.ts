import type { TurnResult } from '../../domain/types.ts';
import type { TurnStep } from '../pipeline.ts';

const reply = (text: string, confidence = 0.95): TurnResult => ({
  replies: [{ text }],
  topic: 'smalltalk',
  household: null,
  confidence,
  outcome: 'answered',
});

/**
 * A message made only of conversation acts ("cảm ơn ad nhé", "ok", "hay quá", "tạm biệt", "hủy" with
 * nothing to cancel, "sai rồi") gets a short fitting reply in any state: it never repeats the previous
 * answer, never starts a topic, and leaves the conversation's context as it was.
 */
export const conversationActsStep: TurnStep = {
  name: 'acts',
  run({ ctx }) {
    const a = ctx.nlu.acts;
    if (!a.only) return null;
    if (a.complaint) {
      const r = reply(
        'Dạ, em xin lỗi vì câu trả lời chưa đúng ý anh/chị. Em đã ghi lại để cán bộ xem và bổ sung. Anh/chị hỏi lại cụ thể hơn giúp em (ví dụ: "hộ cận nghèo vay vốn lãi suất bao nhiêu"), hoặc hỏi UBND xã/phường nơi cư trú ạ.',
      );
      return { ...r, signals: { complaint: true } };
    }
    if (a.bye) return reply('Dạ, em chào anh/chị. Chúc gia đình mình mạnh khỏe ạ.');
    if (a.thanks || a.praise) return reply('Dạ, em cảm ơn anh/chị. Anh/chị cần hỏi thêm gì cứ nhắn em nhé.');
    if (a.cancel) return reply('Dạ, hiện không có việc gì đang làm dở. Anh/chị cần hỏi gì cứ nhắn em ạ.');
    return reply('Dạ. Anh/chị cần hỏi thêm gì cứ nhắn em ạ.');
  },
};
