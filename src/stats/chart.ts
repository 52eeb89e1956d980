import { PNG } from 'pngjs';

/**
 * A plain bar chart as PNG (no text: the reply lists the figures), rendered on the server without a browser.
 * Bars are drawn in order; negative values hang below the axis. Estimates are drawn lighter.
 */
export function barChartPng(values: { value: number; light?: boolean }[], width = 480, height = 240): Buffer {
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
  fill(0, 0, width, height, [255, 255, 255]);
  const pad = 16;
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
  });
  fill(pad, zeroY, width - pad, zeroY + 1, [60, 60, 60]);
  return PNG.sync.write(png);
}
