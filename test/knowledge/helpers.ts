import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { policyEntrySchema, type PolicyEntry } from '../../src/knowledge/schema.ts';

/** A valid, minimal entry to be bent into a bad one by each test. */
export function goodEntry(overrides: Record<string, unknown> = {}): PolicyEntry {
  const raw = {
    id: 'test-entry',
    topic: 'loan',
    title: 'Mục thử nghiệm',
    households: ['poor'],
    short_answer: 'Dạ, có. Lãi suất hiện nay là {rate} (khoảng {rate.month}), áp dụng từ {rate.from}.',
    details: [{ heading: 'Lãi suất', kind: 'amount', lines: ['Trước đó là {rate.prev} đến {rate.prev_to}.'] }],
    params: {
      rate: {
        label: 'Lãi suất',
        unit: 'percent_per_year',
        history: [
          { value: 6.6, from: '2013-01-01', to: '2025-11-30' },
          { value: 6.24, from: '2025-12-01', basis: 0 },
        ],
      },
    },
    legal_basis: [{ instrument: 'Quyết định 2553/QĐ-TTg', effective_from: '2025-12-01', url: 'https://example.gov.vn/a' }],
    status: 'in_force',
    last_verified: '2026-11-27',
    sources: ['https://example.gov.vn/a'],
    phrasings: ['cau hoi mot', 'câu hỏi hai', 'cau hoi ba', 'cau hoi bon', 'cau hoi nam', 'cau hoi sau'],
    related: [],
    ...overrides,
  };
  return policyEntrySchema.parse(raw);
}

/** Writes YAML files into a fresh temp folder and returns it. */
export function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kb-test-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}
