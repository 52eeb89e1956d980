/**
 * Vietnamese number, money, percent and date formatting, in one place so every answer
 * writes figures the same way: 6.621 hộ; 1,96%; 181,7 tỷ đồng; 01/12/2025.
 */

/** Formats a number with '.' thousands and ',' decimals, at most `maxDecimals` decimals, trailing zeros trimmed. */
export function formatNumber(value: number, maxDecimals = 2): string {
  if (!Number.isFinite(value)) return String(value);
  const negative = value < 0;
  const fixed = Math.abs(value).toFixed(maxDecimals);
  let [intPart, decPart = ''] = fixed.split('.');
  decPart = decPart.replace(/0+$/, '');
  intPart = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return (negative ? '-' : '') + intPart + (decPart ? ',' + decPart : '');
}

/** "1.500.000 đồng" — exact amounts as the law writes them. */
export function formatVnd(value: number): string {
  return `${formatNumber(value, 0)} đồng`;
}

/** "1,5 triệu đồng", "100 triệu đồng", "181,7 tỷ đồng": compact amounts for plain answers. */
export function formatVndCompact(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${formatNumber(value / 1e9, 3)} tỷ đồng`;
  if (abs >= 1e6) return `${formatNumber(value / 1e6, 3)} triệu đồng`;
  return formatVnd(value);
}

/** "6,24%" */
export function formatPercent(value: number, maxDecimals = 4): string {
  return `${formatNumber(value, maxDecimals)}%`;
}

/** ISO "2025-12-01" → "01/12/2025". Returns the input when it is not an ISO date. */
export function formatDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

/** Today's date as ISO (UTC+7, Vietnam's civil date), from an injectable clock. */
export function isoDateInVietnam(now: Date): string {
  const shifted = new Date(now.getTime() + 7 * 3600 * 1000);
  return shifted.toISOString().slice(0, 10);
}
