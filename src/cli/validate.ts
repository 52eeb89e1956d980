/**
 * `npm run validate [-- <policies-dir>] [--today YYYY-MM-DD] [--parameters <dir>] [--strict]`:
 * loads the policy knowledge base and the shared parameters, checks them, prints every problem
 * (exit 1) or "OK: N mục, M tham số dùng chung", then the freshness report (entries not checked for
 * 180 days, dated values ending within 60 days with no successor, foreign-language links). The
 * report is informational unless `--strict` is given.
 */
import path from 'node:path';
import { PROJECT_ROOT } from '../util/project-root.ts';
import { KnowledgeBase } from '../knowledge/knowledge-base.ts';
import { freshnessWarnings, validateKnowledge } from '../knowledge/validate.ts';
import { clockFor } from '../time/clock.ts';
import { isoDateInVietnam } from '../format/vi.ts';
import { loadLexicon } from '../nlu/lexicon.ts';
import { loadEligLexicon, loadEntitlementMap, loadStandards } from '../eligibility/index.ts';
import { loadCatalog } from '../stats/catalog.ts';
import { loadWords } from '../stats/words.ts';

/**
 * The other files editors change by hand, each loaded as the server loads it (so a mistake is
 * reported here with its file and field, not at start-up): the NLU lexicon, the guided check's words,
 * the poverty standards and their entitlements, the statistics vocabulary and catalogue.
 */
function otherFileProblems(knowledgeDir: string, kb: KnowledgeBase): string[] {
  const problems: string[] = [];
  const attempt = (what: string, load: () => void) => {
    try {
      load();
    } catch (err) {
      problems.push(`${what}: ${(err as Error).message}`);
    }
  };
  attempt('knowledge/lexicon', () => loadLexicon(knowledgeDir));
  attempt('knowledge/lexicon/eligibility.yaml', () => loadEligLexicon(knowledgeDir));
  const standardsDir = path.join(knowledgeDir, 'standards');
  attempt('knowledge/standards', () => loadStandards(standardsDir));
  attempt('knowledge/standards/entitlements.yaml', () => {
    const map = loadEntitlementMap(standardsDir);
    for (const [category, ids] of Object.entries(map.categories))
      for (const { id } of ids) if (!kb.get(id)) throw new Error(`${category}: không có mục "${id}" trong knowledge/policies`);
  });
  attempt('knowledge/stats', () => {
    loadCatalog(knowledgeDir);
    loadWords(knowledgeDir);
  });
  return problems;
}

function main(argv: string[]): number {
  const root = PROJECT_ROOT;
  let dir = path.join(root, 'knowledge', 'policies');
  let parametersDir: string | undefined;
  let today = isoDateInVietnam(clockFor({ TODAY: process.env.TODAY }).answerTime());
  let strict = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--today') today = argv[++i] ?? today;
    else if (a === '--parameters') parametersDir = path.resolve(argv[++i] ?? '');
    else if (a === '--strict') strict = true;
    else if (a) dir = path.resolve(a);
  }
  let kb: KnowledgeBase;
  try {
    kb = KnowledgeBase.load(dir, { parametersDir });
  } catch (err) {
    console.error(`LỖI: ${(err as Error).message}`);
    return 1;
  }
  if (kb.entries.length === 0) {
    console.error(`LỖI: không có mục nào trong ${dir}`);
    return 1;
  }
  const knowledgeDir = path.dirname(dir);
  const problems = [...validateKnowledge(kb, today), ...(path.basename(dir) === 'policies' ? otherFileProblems(knowledgeDir, kb) : [])];
  if (problems.length) {
    for (const pr of problems) console.error(`• ${pr}`);
    console.error(`${problems.length} vấn đề trong ${kb.entries.length} mục (ngày kiểm tra ${today}).`);
    return 1;
  }
  console.log(`OK: ${kb.entries.length} mục, ${kb.parameters.all().length} tham số dùng chung (ngày kiểm tra ${today})`);
  const warnings = freshnessWarnings(kb, today);
  if (warnings.length) {
    console.log(`Cần xem lại (${warnings.length}):`);
    for (const w of warnings) console.log(`  ! ${w}`);
    if (strict) return 1;
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
