import { Resvg } from '@resvg/resvg-js';
import { writeFileSync } from 'node:fs';

export interface Bar {
  readonly label: string;
  readonly value: number;
}

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A horizontal bar chart as SVG (labels left, values right of each bar), written as a PNG with
 * resvg, which ships prebuilt in its npm package. Used for the benchmark's result plots.
 */
export function writeBarChart(file: string, title: string, unit: string, bars: readonly Bar[]): void {
  const width = 900;
  const rowHeight = 34;
  const top = 56;
  const labelWidth = 360;
  const plotWidth = width - labelWidth - 120;
  const height = top + bars.length * rowHeight + 24;
  const max = Math.max(1, ...bars.map((bar) => bar.value));
  const rows = bars
    .map((bar, index) => {
      const y = top + index * rowHeight;
      const length = Math.max(1, (bar.value / max) * plotWidth);
      return [
        `<text x="${labelWidth - 10}" y="${y + 21}" text-anchor="end" font-size="14">${escape(bar.label)}</text>`,
        `<rect x="${labelWidth}" y="${y + 6}" width="${length.toFixed(1)}" height="${rowHeight - 12}" fill="#3b6ea5"/>`,
        `<text x="${labelWidth + length + 8}" y="${y + 21}" font-size="14">${escape(bar.value.toLocaleString('en-US'))} ${escape(unit)}</text>`,
      ].join('');
    })
    .join('\n');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="20" y="32" font-size="18" font-weight="bold">${escape(title)}</text>
${rows}
</svg>`;
  const png = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
  writeFileSync(file, png);
}
