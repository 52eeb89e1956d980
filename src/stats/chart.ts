import { createRequire } from 'node:module';
import type { PNG as PngClass } from 'pngjs';
import { ADVANCE, ASCENT, glyph, LINE_HEIGHT } from './font.ts';

const requireHere = createRequire(import.meta.url);
let pngModule: { PNG: typeof PngClass } | undefined;
/** pngjs, loaded with the first chart: most turns draw none, and start-up should not pay for it. */
function pngClass(): typeof PngClass {
  pngModule ??= requireHere('pngjs') as { PNG: typeof PngClass };
  return pngModule.PNG;
}

/**
 * Bar charts as PNG, drawn on the server without a browser (pngjs). A chart tells the truth about its
 * figures: a title with the area and the indicator, a subtitle with the measure and the unit, final
 * figures solid and preliminary or estimated ones hatched, and a red dashed line where the poverty
 * standard changes, with the new standard's name.
 */

type Rgb = [number, number, number];

/** One bar: its value, the number written above it, and the date written below it. */
export interface Bar {
  value: number;
  /** A lighter bar (kept for callers that only mark estimates). */
  light?: boolean;
  /** Drawn hatched: a preliminary figure, an estimate, a target. */
  hatched?: boolean;
  label?: string;
  caption?: string;
}

export interface ChartOptions {
  /** Title lines (wrapped to the width). */
  title?: string;
  /** Measure and unit, under the title. */
  subtitle?: string;
  /** Standard changes: a dashed line before bar `before`, labelled. */
  breaks?: { before: number; label: string }[];
  /** Lines under the chart (what hatching and the dashed line mean). */
  legend?: string[];
}

const BLUE: Rgb = [31, 119, 180];
const PALE: Rgb = [150, 190, 230];
const RED: Rgb = [200, 40, 40];
const DARK: Rgb = [40, 40, 40];
const GREY: Rgb = [90, 90, 90];

/** Width in pixels of `text` drawn at `scale`. */
export function textWidth(text: string, scale = 1): number {
  return Math.max(0, [...text].length * ADVANCE * scale - scale);
}

/** Splits text into lines no wider than `width` pixels at scale 1. */
export function wrap(text: string, width: number): string[] {
  const max = Math.max(1, Math.floor((width + 1) / ADVANCE));
  const lines: string[] = [];
  let cur = '';
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (!cur) cur = w;
    else if ([...`${cur} ${w}`].length <= max) cur += ` ${w}`;
    else {
      lines.push(cur);
      cur = w;
    }
  }
  if (cur) lines.push(cur);
  return lines;
}

export function barChartPng(values: Bar[], width = 480, height = 240, opts: ChartOptions = {}): Buffer {
  const png = new (pngClass())({ width, height });
  const dot = (x: number, y: number, rgb: Rgb) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const i = (y * width + x) * 4;
    png.data[i] = rgb[0];
    png.data[i + 1] = rgb[1];
    png.data[i + 2] = rgb[2];
    png.data[i + 3] = 255;
  };
  const fill = (x0: number, y0: number, x1: number, y1: number, rgb: Rgb) => {
    for (let y = Math.min(y0, y1); y < Math.max(y0, y1); y++) for (let x = x0; x < x1; x++) dot(x, y, rgb);
  };
  /** Draws text whose capitals start at row `top`; `cx` is the centre, or the left edge when `left`. */
  const text = (str: string, cx: number, top: number, scale: number, rgb: Rgb, left = false) => {
    let x = left ? cx : Math.round(cx - textWidth(str, scale) / 2);
    for (const ch of str) {
      const g = glyph(ch);
      if (g) for (const [gx, gy] of g.pixels) fill(x + gx * scale, top + gy * scale, x + (gx + 1) * scale, top + (gy + 1) * scale, rgb);
      x += ADVANCE * scale;
    }
  };
  fill(0, 0, width, height, [255, 255, 255]);
  const labelled = values.some((v) => v.label || v.caption);
  const pad = labelled ? 26 : 16;
  let top = 6;
  const titleLines = opts.title ? wrap(opts.title, width - 12) : [];
  const subLines = opts.subtitle ? wrap(opts.subtitle, width - 12) : [];
  for (const l of titleLines) {
    text(l, 6, top + ASCENT, 1, DARK, true);
    top += LINE_HEIGHT;
  }
  for (const l of subLines) {
    text(l, 6, top + ASCENT, 1, GREY, true);
    top += LINE_HEIGHT;
  }
  const legend = (opts.legend ?? []).flatMap((l) => wrap(l, width - 12));
  const bottom = legend.length * LINE_HEIGHT;
  legend.forEach((l, i) => text(l, 6, height - bottom + i * LINE_HEIGHT + ASCENT - 2, 1, GREY, true));
  // The standard change's label has its own row, above the numbers written over the bars.
  const breakRow = opts.breaks?.length ? top : -1;
  if (breakRow >= 0) top += LINE_HEIGHT;
  const plotTop = Math.max(pad, top + (labelled ? 20 : 4));
  const plotBottom = height - bottom - pad;
  const max = Math.max(0, ...values.map((v) => v.value));
  const min = Math.min(0, ...values.map((v) => v.value));
  const span = max - min || 1;
  const plotH = Math.max(10, plotBottom - plotTop);
  const zeroY = plotTop + Math.round((max / span) * plotH);
  const n = Math.max(1, values.length);
  const slot = (width - 2 * pad) / n;
  const barW = Math.max(2, Math.floor(slot * 0.6));
  values.forEach((v, i) => {
    const x0 = Math.round(pad + i * slot + (slot - barW) / 2);
    const h = Math.round((Math.abs(v.value) / span) * plotH);
    const y0 = v.value >= 0 ? zeroY - h : zeroY;
    const y1 = v.value >= 0 ? zeroY : zeroY + h;
    if (v.hatched) {
      fill(x0, y0, x0 + barW, y1, PALE);
      for (let y = y0; y < y1; y++) for (let x = x0; x < x0 + barW; x++) if ((x + y) % 6 < 2) dot(x, y, BLUE);
      fill(x0, y0, x0 + barW, y0 + 1, BLUE);
      fill(x0, y0, x0 + 1, y1, BLUE);
      fill(x0 + barW - 1, y0, x0 + barW, y1, BLUE);
    } else fill(x0, y0, x0 + barW, y1, v.light ? PALE : BLUE);
    const cx = x0 + barW / 2;
    if (v.label) {
      const scale = textWidth(v.label, 2) <= slot - 4 ? 2 : 1;
      text(v.label, cx, v.value >= 0 ? zeroY - h - 8 * scale - 2 : zeroY + h + 3, scale, DARK);
    }
    if (v.caption) text(v.caption, cx, plotBottom + pad - 12, 1, GREY);
  });
  for (const b of opts.breaks ?? []) {
    const x = Math.round(pad + b.before * slot);
    for (let y = breakRow; y < plotBottom; y++) if (y % 6 < 4) fill(x - 1, y, x + 1, y + 1, RED);
    const w = textWidth(b.label);
    text(b.label, x + 3 + w > width ? x - 3 - w : x + 3, breakRow + ASCENT, 1, RED, true);
  }
  fill(pad, zeroY, width - pad, zeroY + 1, [60, 60, 60]);
  return pngClass().sync.write(png);
}
