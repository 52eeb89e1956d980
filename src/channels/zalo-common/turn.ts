import type { Button, Incoming, TurnResult } from '../../domain/types.ts';
import type { Engine } from '../../core/engine.ts';
import { TtlCache } from './cache.ts';
import { pickChoice, renderTurn, type RenderedTurn } from './text.ts';

/**
 * The last numbered choices shown to each person (bounded in number and time), so "2" can be read as a
 * button press: neither Zalo surface offers buttons on the messages we send.
 */
export class ChoiceMemory {
  private readonly cache: TtlCache<Button[]>;

  constructor(maxUsers = 10_000, ttlMs = 24 * 3600_000, now?: () => number) {
    this.cache = new TtlCache<Button[]>(maxUsers, ttlMs, now);
  }

  get(user: string): Button[] | undefined {
    return this.cache.get(user);
  }

  remember(user: string, choices: Button[]): void {
    if (choices.length) this.cache.set(user, choices);
    else this.cache.delete(user);
  }
}

/** What a Zalo adapter passes to the core for one message: exactly the channel-neutral Incoming. */
export type TurnInput = Incoming;

/**
 * Runs one turn through the Engine: a numbered answer ("1", "2") becomes the payload of the matching
 * choice last shown to this person; the replies are rendered as plain text and the new choices remembered.
 */
export async function runTurn(
  engine: Engine,
  memory: ChoiceMemory,
  input: TurnInput,
): Promise<{ result: TurnResult; rendered: RenderedTurn }> {
  let { text, payload } = input;
  if (!payload && text !== undefined) {
    const picked = pickChoice(text, memory.get(input.conversationId));
    if (picked) {
      payload = picked.payload;
      text = undefined;
    }
  }
  const result = await engine.handle({
    channel: input.channel,
    conversationId: input.conversationId,
    ...(text !== undefined ? { text } : {}),
    ...(payload !== undefined ? { payload } : {}),
    ...(input.messageId ? { messageId: input.messageId } : {}),
    ...(input.isAdmin ? { isAdmin: true } : {}),
  });
  const rendered = renderTurn(result.replies);
  memory.remember(input.conversationId, rendered.choices);
  return { result, rendered };
}

/** Polite Vietnamese replies shared by both Zalo surfaces. */
export const MESSAGES = {
  nonText:
    'Dạ, hiện em chỉ đọc được tin nhắn chữ. Anh/chị vui lòng gõ câu hỏi bằng chữ, ví dụ: "vay vốn hộ nghèo" hoặc "thẻ BHYT hộ cận nghèo" ạ.',
  unsupported: 'Dạ, em chưa đọc được nội dung tin nhắn này. Anh/chị vui lòng gõ câu hỏi bằng chữ để em hỗ trợ ạ.',
  welcome:
    'Dạ, em chào anh/chị! Em là Trợ lý Giảm nghèo, em giải đáp các chính sách hỗ trợ hộ nghèo, hộ cận nghèo: vay vốn, bảo hiểm y tế, học phí, nhà ở, trợ giúp pháp lý, học nghề...',
  tooFast: 'Dạ, anh/chị nhắn hơi nhanh ạ. Anh/chị vui lòng đợi một chút rồi hỏi tiếp giúp em nhé.',
  error: 'Dạ, em xin lỗi, hệ thống đang bận. Anh/chị vui lòng thử lại sau ít phút ạ.',
} as const;
