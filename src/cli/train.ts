/**
 * `npm run train`: trains the topic, entry and question-type models on the corpus in
 * knowledge/training/ and writes knowledge/models/nlu-model.json (committed). Deterministic and fast.
 *   npm run train              train and write the model file
 *   npm run train -- --check   fail when the committed model does not match its corpus (CI)
 *   npm run train -- --out-of-fold <file>   also write held-out topic predictions (to tune the blend)
 * Messages that appear in any evaluation set (../shared/eval, eval/) are never trained on.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../config.ts';
import { buildModel, inputsHash, type BuildInputs } from '../nlu/model/build.ts';
import { monotonicMs } from '../time/clock.ts';

export const MODEL_FILE = path.join(PROJECT_ROOT, 'knowledge', 'models', 'nlu-model.json');

/** Every evaluation file this project can see. */
export function evaluationFiles(): string[] {
  const shared = path.resolve(PROJECT_ROOT, '..', 'shared', 'eval');
  const local = path.join(PROJECT_ROOT, 'eval');
  const list = (dir: string) =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.jsonl'))
          .sort()
          .map((f) => path.join(dir, f))
      : [];
  return [...list(shared), ...list(local)];
}

function main(argv: string[]): number {
  const inputs: BuildInputs = { knowledgeDir: path.join(PROJECT_ROOT, 'knowledge'), evalFiles: evaluationFiles() };
  if (argv.includes('--check')) {
    if (!existsSync(MODEL_FILE)) {
      console.error(`LỖI: chưa có tệp mô hình ${path.relative(PROJECT_ROOT, MODEL_FILE)}; chạy "npm run train".`);
      return 1;
    }
    const committed = JSON.parse(readFileSync(MODEL_FILE, 'utf8')) as { corpusHash?: string };
    if (committed.corpusHash !== inputsHash(inputs)) {
      console.error(
        'LỖI: mô hình không khớp với bộ dữ liệu huấn luyện (hoặc từ điển, hoặc các bộ đánh giá); chạy "npm run train" rồi commit.',
      );
      return 1;
    }
    if (argv.includes('--full')) {
      const fresh = JSON.stringify(buildModel(inputs).model, null, 1) + '\n';
      if (fresh !== readFileSync(MODEL_FILE, 'utf8')) {
        console.error('LỖI: huấn luyện lại cho kết quả khác tệp mô hình đã commit.');
        return 1;
      }
    }
    console.log('OK: mô hình khớp với bộ dữ liệu huấn luyện.');
    return 0;
  }
  const started = monotonicMs();
  const { model, excluded, report, outOfFold } = buildModel(inputs);
  const oofAt = argv.indexOf('--out-of-fold');
  if (oofAt >= 0 && argv[oofAt + 1])
    writeFileSync(argv[oofAt + 1], JSON.stringify({ labels: model.heads.topic.labels, entryLabels: model.heads.entry.labels, outOfFold }));
  mkdirSync(path.dirname(MODEL_FILE), { recursive: true });
  writeFileSync(MODEL_FILE, JSON.stringify(model, null, 1) + '\n');
  console.log(`Đã huấn luyện trong ${((monotonicMs() - started) / 1000).toFixed(1)} s → ${path.relative(PROJECT_ROOT, MODEL_FILE)}`);
  console.log(`Bỏ ${excluded.length} câu trùng với bộ đánh giá.`);
  console.log(JSON.stringify(report, null, 2));
  return 0;
}

process.exitCode = main(process.argv.slice(2));
