import type { TurnContext } from './context.ts';
import type { TurnResult } from './types.ts';
import { groupInbox } from '../learning/learning-store.ts';
import { formatDate, formatNumber } from '../format/vi.ts';

/**
 * Chat commands for administrators (ids in ADMIN_TELEGRAM_IDS / ADMIN_ZALO_IDS, or the web bearer token).
 * Anyone else typing them gets the ordinary answer path: these return null for non-admins.
 */
export function adminCommand(ctx: TurnContext): TurnResult | null {
  if (!ctx.incoming.isAdmin) return null;
  const t = (ctx.incoming.text ?? '').trim();
  if (/^\/(hopthu|inbox)(@\w+)?\b/i.test(t)) return inboxReply(ctx);
  return null;
}

function inboxReply(ctx: TurnContext): TurnResult {
  const learning = ctx.services.learning;
  const since = new Date(ctx.now.getTime() - 30 * 86_400_000).toISOString();
  const groups = groupInbox((learning?.inbox() ?? []).filter((i) => i.at >= since)).slice(0, 10);
  const lines = groups.length
    ? ['Dạ, các câu hỏi chưa trả lời tốt trong 30 ngày qua (đã che thông tin cá nhân), gộp theo nội dung:']
    : ['Dạ, hộp thư trống: 30 ngày qua không có câu hỏi nào cần bổ sung.'];
  for (const g of groups) {
    lines.push(`• ${formatNumber(g.count)} lần: "${g.example.slice(0, 100)}" (chủ đề đoán: ${Object.keys(g.topics).join(', ')}; gần nhất ${formatDate(g.lastAt.slice(0, 10))})`);
  }
  return { replies: [{ text: lines.join('\n') }], topic: 'smalltalk', household: null, confidence: 1, outcome: 'answered' };
}
