import { describe, it, expect } from 'vitest';
import { PNG } from 'pngjs';
import { barChartPng } from '../../src/stats/chart.ts';

const darkPixels = (buf: Buffer) => {
  const png = PNG.sync.read(buf);
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) if (png.data[i] < 100 && png.data[i + 1] < 100 && png.data[i + 2] < 100) n++;
  return { n, width: png.width, height: png.height };
};

describe('server-side chart', () => {
  it('renders a valid PNG whose bars carry their values and dates', () => {
    const bare = darkPixels(barChartPng([{ value: 1.92 }, { value: 3.2 }]));
    const labelled = darkPixels(
      barChartPng([
        { value: 1.92, label: '1,92%', caption: '31/12/2019' },
        { value: 3.2, label: '3,2%', caption: '31/12/2021' },
      ]),
    );
    expect(labelled.width).toBe(480);
    expect(labelled.height).toBe(240);
    // The axis only, versus the axis plus the digits drawn above and below the bars.
    expect(labelled.n).toBeGreaterThan(bare.n + 100);
  });
});
