/** Small, dependency-free SVG charts for the HTML report: readable offline and in any browser. */

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const short = (n: number) =>
  Math.abs(n) >= 1e9
    ? `${(n / 1e9).toFixed(1)}B`
    : Math.abs(n) >= 1e6
      ? `${(n / 1e6).toFixed(1)}M`
      : Math.abs(n) >= 1e3
        ? `${(n / 1e3).toFixed(1)}k`
        : String(Math.round(n));

export interface Point {
  readonly label: string;
  readonly value: number;
}

/** Horizontal bars, one per label, largest first as given. */
export function barChart(title: string, points: readonly Point[], color = "#2f6fb3"): string {
  const rowH = 22;
  const labelW = 180;
  const width = 640;
  const height = 30 + points.length * rowH;
  const max = Math.max(1, ...points.map((p) => p.value));
  const bars = points
    .map((p, i) => {
      const y = 24 + i * rowH;
      const w = Math.max(1, ((width - labelW - 70) * p.value) / max);
      return `<g class="bar" data-label="${esc(p.label)}" data-value="${p.value}"><text x="${labelW - 6}" y="${y + 14}" text-anchor="end"><title>${esc(p.label)}</title>${esc(p.label.length > 26 ? `${p.label.slice(0, 25)}…` : p.label)}</text><rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${rowH - 6}" fill="${color}"/><text x="${labelW + w + 4}" y="${y + 14}">${short(p.value)}</text></g>`;
    })
    .join("");
  return `<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="12"><text x="0" y="14" font-weight="bold">${esc(title)}</text>${bars}</svg>`;
}

/** A line over ordered points (e.g. days), with min/max axis labels. */
export function lineChart(title: string, points: readonly Point[], color = "#2f6fb3"): string {
  const width = 640;
  const height = 220;
  const pad = { l: 50, r: 10, t: 24, b: 30 };
  const max = Math.max(1, ...points.map((p) => p.value));
  const x = (i: number) =>
    pad.l + (points.length <= 1 ? 0 : (i * (width - pad.l - pad.r)) / (points.length - 1));
  const y = (v: number) => height - pad.b - ((height - pad.t - pad.b) * v) / max;
  const path = points
    .map((p, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(p.value).toFixed(1)}`)
    .join(" ");
  const first = points[0]?.label ?? "";
  const last = points.at(-1)?.label ?? "";
  return `<svg class="chart" role="img" aria-label="${esc(title)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="system-ui, sans-serif" font-size="12" data-points="${points.length}"><text x="0" y="14" font-weight="bold">${esc(title)}</text><line x1="${pad.l}" y1="${height - pad.b}" x2="${width - pad.r}" y2="${height - pad.b}" stroke="#999"/><line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${height - pad.b}" stroke="#999"/><text x="${pad.l - 4}" y="${pad.t + 8}" text-anchor="end">${short(max)}</text><text x="${pad.l - 4}" y="${height - pad.b}" text-anchor="end">0</text><text x="${pad.l}" y="${height - 8}">${esc(first)}</text><text x="${width - pad.r}" y="${height - 8}" text-anchor="end">${esc(last)}</text><path class="line" d="${path}" fill="none" stroke="${color}" stroke-width="1.5"/></svg>`;
}
