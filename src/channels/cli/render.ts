import type { Reply } from '../../domain/types.ts';
import { compactSources } from '../../format/citations.ts';

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
  // One short source line, as a phone shows it (the full references are behind "Căn cứ pháp lý").
  const sources = compactSources(r.citations);
  if (sources) lines.push(sources);
  if (r.buttons?.length && opts.buttons !== false) {
    lines.push('');
    r.buttons.forEach((b, i) => {
      lines.push(`  [${i + 1}] ${b.label}`);
      choices.push(b.payload);
    });
  }
  return { text: lines.join('\n'), choices };
}
