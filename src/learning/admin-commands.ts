import type { TurnContext } from '../core/context.ts';
import type { TurnResult } from '../domain/types.ts';
import { groupInbox } from './group.ts';
import type { LearningStore } from './types.ts';
import { formatDate, formatNumber } from '../format/vi.ts';

/**
 * Chat commands for administrators (ids in ADMIN_TELEGRAM_IDS / ADMIN_ZALO_IDS, or the web bearer token).
 * Anyone else typing them gets the ordinary answer path: these return null for non-admins.
 */
export async function adminCommand(ctx: TurnContext, learning: LearningStore): Promise<TurnResult | null> {
  if (!ctx.incoming.isAdmin) return null;
  const t = (ctx.incoming.text ?? '').trim();
  if (/^\/(hopthu|inbox)(@\w+)?\b/i.test(t)) return inboxReply(ctx, learning);
  const imp = /^\/nhapsolieu(@\w+)?\s*\n([\s\S]+)$/i.exec(t);
  if (imp) return importReply(ctx, imp[2]);
  if (/^\/nhapsolieu(@\w+)?\s*$/i.test(t)) {
    return reply(
      'Dạ, gửi "/nhapsolieu" rồi xuống dòng và dán nội dung CSV (dòng đầu là tiêu đề cột như khi xuất bằng "npm run stats -- export"). Tệp lớn xin dùng lệnh "npm run stats -- import <tệp.csv>" trên máy chủ.',
    );
  }
  return null;
}

function reply(text: string): TurnResult {
  return { replies: [{ text }], topic: 'statistics', household: null, confidence: 1, outcome: 'answered' };
}

/** "/nhapsolieu" + CSV pasted in chat: validated row by row, imported whole or not at all. */
async function importReply(ctx: TurnContext, csv: string): Promise<TurnResult> {
  const stats = ctx.services.stats;
  if (!stats?.importCsv) return reply('Dạ, kho số liệu chưa được nạp trên máy chủ này.');
  try {
    const s = await stats.importCsv(csv.trim() + '\n');
    return reply(
      `Dạ, đã nhập số liệu: ${formatNumber(s.added)} số liệu mới, ${formatNumber(s.revised)} số liệu được sửa (giá trị cũ vẫn lưu trong lịch sử), ${formatNumber(s.unchanged)} không đổi.`,
    );
  } catch (err) {
    const errors = (err as { errors?: Array<{ line: number; message: string }> }).errors;
    if (!errors) return reply('Dạ, không nhập được: nội dung CSV không đọc được. Không có số liệu nào bị thay đổi.');
    const lines = errors.slice(0, 15).map((e) => `• Dòng ${e.line}: ${e.message}`);
    if (errors.length > 15) lines.push(`• … và ${errors.length - 15} dòng lỗi khác.`);
    return reply(`Dạ, không nhập dòng nào vì có ${formatNumber(errors.length)} dòng lỗi (kho số liệu giữ nguyên):\n${lines.join('\n')}`);
  }
}

async function inboxReply(ctx: TurnContext, learning: LearningStore): Promise<TurnResult> {
  const since = new Date(ctx.clock.nowMs() - 30 * 86_400_000).toISOString();
  const groups = groupInbox(await learning.inbox(since)).slice(0, 10);
  const lines = groups.length
    ? ['Dạ, các câu hỏi chưa trả lời tốt trong 30 ngày qua (đã che thông tin cá nhân), gộp theo nội dung:']
    : ['Dạ, hộp thư trống: 30 ngày qua không có câu hỏi nào cần bổ sung.'];
  for (const g of groups) {
    lines.push(
      `• ${formatNumber(g.count)} lần: "${g.example.slice(0, 100)}" (chủ đề đoán: ${Object.keys(g.topics).join(', ')}; gần nhất ${formatDate(g.lastAt.slice(0, 10))})`,
    );
  }
  return { replies: [{ text: lines.join('\n') }], topic: 'smalltalk', household: null, confidence: 1, outcome: 'answered' };
}
