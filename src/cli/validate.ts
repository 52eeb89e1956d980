/**
 * `npm run validate [-- <policies-dir>] [--today YYYY-MM-DD]`: loads the policy knowledge base,
 * checks it, prints every problem (exit 1) or "OK: N mục".
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import { validateKnowledge } from '../knowledge/validate.ts';
import { clockFor } from '../time/clock.ts';
import { isoDateInVietnam } from '../format/vi.ts';

function main(argv: string[]): number {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  let dir = path.join(root, 'knowledge', 'policies');
  let today = isoDateInVietnam(clockFor({ TODAY: process.env.TODAY }).answerTime());
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--today') today = argv[++i] ?? today;
    else if (a) dir = path.resolve(a);
  }
  let kb: KnowledgeBase;
  try {
    kb = KnowledgeBase.load(dir);
  } catch (err) {
    console.error(`LỖI: ${(err as Error).message}`);
    return 1;
  }
  if (kb.entries.length === 0) {
    console.error(`LỖI: không có mục nào trong ${dir}`);
    return 1;
  }
  const problems = validateKnowledge(kb, today);
  if (problems.length) {
    for (const pr of problems) console.error(`• ${pr}`);
    console.error(`${problems.length} vấn đề trong ${kb.entries.length} mục (ngày kiểm tra ${today}).`);
    return 1;
  }
  console.log(`OK: ${kb.entries.length} mục`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
