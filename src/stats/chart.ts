import { PNG } from 'pngjs';

/** A 5×7 pixel font for the characters chart labels need (digits and the punctuation of Vietnamese numbers and dates). */
const GLYPHS: Record<string, string[]> = {
  '0': ['01110', '10001', '10011', '10101', '11001', '10001', '01110'],
  '1': ['00100', '01100', '00100', '00100', '00100', '00100', '01110'],
  '2': ['01110', '10001', '00001', '00010', '00100', '01000', '11111'],
  '3': ['11110', '00001', '00001', '01110', '00001', '00001', '11110'],
  '4': ['00010', '00110', '01010', '10010', '11111', '00010', '00010'],
  '5': ['11111', '10000', '11110', '00001', '00001', '10001', '01110'],
  '6': ['00110', '01000', '10000', '11110', '10001', '10001', '01110'],
  '7': ['11111', '00001', '00010', '00100', '01000', '01000', '01000'],
  '8': ['01110', '10001', '10001', '01110', '10001', '10001', '01110'],
  '9': ['01110', '10001', '10001', '01111', '00001', '00010', '01100'],
  ',': ['00000', '00000', '00000', '00000', '00110', '00100', '01000'],
  '.': ['00000', '00000', '00000', '00000', '00000', '01100', '01100'],
  '%': ['11001', '11010', '00010', '00100', '01000', '01011', '10011'],
  '/': ['00001', '00010', '00010', '00100', '01000', '01000', '10000'],
  '-': ['00000', '00000', '00000', '11111', '00000', '00000', '00000'],
  ' ': ['00000', '00000', '00000', '00000', '00000', '00000', '00000'],
};

/** Width in pixels of `text` drawn at `scale`. */
function textWidth(text: string, scale: number): number {
  return [...text].length * 6 * scale - scale;
}

/**
 * A bar chart as PNG, rendered on the server without a browser: bars in order (negative values hang
 * below the axis, estimates lighter), each with its value above and its date below when given.
 */
export function barChartPng(
  values: { value: number; light?: boolean; label?: string; caption?: string }[],
  width = 480,
  height = 240,
): Buffer {
  const png = new PNG({ width, height });
  const fill = (x0: number, y0: number, x1: number, y1: number, rgb: [number, number, number]) => {
    for (let y = Math.max(0, Math.min(y0, y1)); y < Math.min(height, Math.max(y0, y1)); y++)
      for (let x = Math.max(0, x0); x < Math.min(width, x1); x++) {
        const i = (y * width + x) * 4;
        png.data[i] = rgb[0];
        png.data[i + 1] = rgb[1];
        png.data[i + 2] = rgb[2];
        png.data[i + 3] = 255;
      }
  };
  const text = (str: string, cx: number, top: number, scale: number, rgb: [number, number, number]) => {
    let x = Math.round(cx - textWidth(str, scale) / 2);
    for (const ch of str) {
      const g = GLYPHS[ch];
      if (g)
        g.forEach((row, ry) => {
          for (let rx = 0; rx < 5; rx++)
            if (row[rx] === '1') fill(x + rx * scale, top + ry * scale, x + (rx + 1) * scale, top + (ry + 1) * scale, rgb);
        });
      x += 6 * scale;
    }
  };
  fill(0, 0, width, height, [255, 255, 255]);
  const labelled = values.some((v) => v.label || v.caption);
  const pad = labelled ? 26 : 16;
  const max = Math.max(0, ...values.map((v) => v.value));
  const min = Math.min(0, ...values.map((v) => v.value));
  const span = max - min || 1;
  const plotH = height - 2 * pad;
  const zeroY = pad + Math.round((max / span) * plotH);
  const n = Math.max(1, values.length);
  const slot = (width - 2 * pad) / n;
  const barW = Math.max(2, Math.floor(slot * 0.6));
  values.forEach((v, i) => {
    const x0 = Math.round(pad + i * slot + (slot - barW) / 2);
    const h = Math.round((Math.abs(v.value) / span) * plotH);
    const color: [number, number, number] = v.light ? [150, 190, 230] : [31, 119, 180];
    if (v.value >= 0) fill(x0, zeroY - h, x0 + barW, zeroY, color);
    else fill(x0, zeroY, x0 + barW, zeroY + h, color);
    const cx = x0 + barW / 2;
    const dark: [number, number, number] = [40, 40, 40];
    if (v.label) {
      const scale = textWidth(v.label, 2) <= slot - 4 ? 2 : 1;
      text(v.label, cx, v.value >= 0 ? zeroY - h - 8 * scale - 2 : zeroY + h + 3, scale, dark);
    }
    if (v.caption) text(v.caption, cx, height - 10, 1, [90, 90, 90]);
  });
  fill(pad, zeroY, width - pad, zeroY + 1, [60, 60, 60]);
  return PNG.sync.write(png);
}
