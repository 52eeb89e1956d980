import type { Reply } from '../../domain/types.ts';
import { formatDate } from '../../format/vi.ts';

/**
 * Renders replies as plain terminal text: the text, numbered choices, and sources with links.
 * Returns the payloads in choice order so an interactive prompt can map "1", "2"... back to them.
 */
export function renderPlain(replies: Reply[], opts: { buttons?: boolean } = {}): string {
  return replies.map((r) => renderOne(r, opts).text).join('\n\n');
}

export function renderOne(r: Reply, opts: { buttons?: boolean } = {}): { text: string; choices: string[] } {
  const lines = [r.text];
  const choices: string[] = [];
  if (r.citations?.length) {
    lines.push('');
    for (const c of r.citations) {
      const when = c.effectiveFrom ? ` (áp dụng từ ${formatDate(c.effectiveFrom)})` : c.asOf ? ` (số liệu tại ${formatDate(c.asOf)})` : '';
      lines.push(`Nguồn: ${c.instrument}${c.article ? `, ${c.article}` : ''}${when}${c.url ? ` ${c.url}` : ''}`);
    }
  }
  if (r.buttons?.length && opts.buttons !== false) {
    lines.push('');
    r.buttons.forEach((b, i) => {
      lines.push(`  [${i + 1}] ${b.label}`);
      choices.push(b.payload);
    });
  }
  return { text: lines.join('\n'), choices };
}
