import type { TurnContext } from '../core/context.ts';
import type { TurnResult } from '../domain/types.ts';
import { TOPIC_LABELS } from '../core/menus.ts';
import { groupInbox } from './group.ts';
import type { LearningStore } from './types.ts';
import { formatDate, formatNumber, isoDateInVietnam } from '../format/vi.ts';

const ASKS_USAGE =
  /\b(thong ke|bao nhieu|so luong|so luot|bao cao)\b.*\b(cau hoi|luot hoi|nguoi hoi|tin nhan|luot hoi dap|su dung bot|su dung tro ly)\b/;

/**
 * "thống kê câu hỏi tuần này": aggregated usage figures for officials (questions per topic and channel,
 * share answered; top unanswered themes for admins). Never shows anything about an individual.
 */
export async function usageReport(ctx: TurnContext, learning: LearningStore): Promise<TurnResult | null> {
  if (!ASKS_USAGE.test(ctx.nlu.folded)) return null;
  const to = isoDateInVietnam(ctx.clock.now());
  const days = /\b(thang nay|30 ngay)\b/.test(ctx.nlu.folded) ? 30 : /\b(hom nay)\b/.test(ctx.nlu.folded) ? 1 : 7;
  const from = isoDateInVietnam(new Date(ctx.clock.nowMs() - (days - 1) * 86_400_000));
  const u = await learning.usageBetween(from, to);
  const lines = [`Dạ, thống kê câu hỏi từ ${formatDate(from)} đến ${formatDate(to)} (số liệu tổng hợp, không gắn với người hỏi):`];
  lines.push(
    `• Tổng số câu hỏi: ${formatNumber(u.total)}; trả lời được: ${formatNumber(u.answered)}${u.total ? ` (${formatNumber((100 * u.answered) / u.total, 1)}%)` : ''}.`,
  );
  const topics = Object.entries(u.byTopic)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8);
  if (topics.length)
    lines.push(
      `• Theo chủ đề: ${topics.map(([t, n]) => `${TOPIC_LABELS[t as keyof typeof TOPIC_LABELS] ?? t} ${formatNumber(n)}`).join('; ')}.`,
    );
  const channels = Object.entries(u.byChannel).sort((a, b) => b[1] - a[1]);
  if (channels.length) lines.push(`• Theo kênh: ${channels.map(([c, n]) => `${c} ${formatNumber(n)}`).join('; ')}.`);
  if (ctx.incoming.isAdmin) {
    const items = (await learning.inbox()).filter((i) => i.at.slice(0, 10) >= from);
    const groups = groupInbox(items).slice(0, 5);
    if (groups.length) {
      lines.push('• Chủ đề chưa trả lời được nhiều nhất:');
      for (const g of groups) lines.push(`   - "${g.example.slice(0, 80)}" (${formatNumber(g.count)} lần)`);
    }
  }
  return { replies: [{ text: lines.join('\n') }], topic: 'statistics', household: null, confidence: 0.95, outcome: 'answered' };
}
