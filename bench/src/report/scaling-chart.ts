import { createCanvas } from "@napi-rs/canvas";
import { Chart, type ChartConfiguration, type ChartItem, registerables } from "chart.js";
import { formatSize } from "../harness/bench-options.ts";
import type { CellResult } from "../harness/bench-results.ts";

Chart.register(...registerables);

const COLORS: Readonly<Record<string, string>> = {
  floor: "#444444",
  saleslake: "#d62728",
  "saleslake-star": "#9467bd",
  dlt: "#1f77b4",
  "pyspark-delta": "#2ca02c",
  "saleslake-spark": "#ff7f0e",
};
const PANEL = { width: 560, height: 420 };

/** A white background: chart.js draws on a transparent canvas. */
const background = {
  id: "background",
  beforeDraw(chart: Chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

function panel(cells: readonly CellResult[], delta: number, contenders: readonly string[]) {
  const canvas = createCanvas(PANEL.width, PANEL.height);
  const mine = cells.filter((c) => c.kind === "delta" && c.nominal === delta && c.seconds !== null);
  const bases = [...new Set(mine.map((c) => c.base))].sort((a, b) => a - b);
  const config: ChartConfiguration<"line", { x: number; y: number }[]> = {
    type: "line",
    data: {
      datasets: contenders.map((name) => ({
        label: name,
        data: mine
          .filter((c) => c.contender === name)
          .sort((a, b) => a.base - b.base)
          .map((c) => ({ x: c.base, y: c.seconds! })),
        borderColor: COLORS[name] ?? "#888888",
        backgroundColor: COLORS[name] ?? "#888888",
        borderWidth: name === "saleslake" ? 3 : 2,
        pointRadius: 4,
      })),
    },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      plugins: {
        title: { display: true, text: `${formatSize(delta)}-row delta`, font: { size: 16 } },
        legend: { position: "bottom" },
      },
      scales: {
        x: {
          type: "logarithmic",
          title: { display: true, text: "rows in the table before the delta" },
          // Only the measured table sizes: a log axis otherwise labels every minor step.
          afterBuildTicks: (axis) => {
            axis.ticks = bases.map((value) => ({ value }));
          },
          ticks: { callback: (v) => formatSize(Number(v)) },
        },
        y: {
          type: "logarithmic",
          title: { display: true, text: "seconds (median, log scale)" },
        },
      },
    },
    plugins: [background],
  };
  // chart.js types its canvas as a DOM canvas; @napi-rs/canvas implements the same 2D API.
  const chart = new Chart(canvas as unknown as ChartItem, config);
  chart.draw();
  return { canvas, chart };
}

/** The scaling curve as a PNG: one panel per delta size, seconds against table size, a line per contender. */
export function renderScalingChart(
  cells: readonly CellResult[],
  deltas: readonly number[],
  contenders: readonly string[],
): Buffer {
  const out = createCanvas(PANEL.width * deltas.length, PANEL.height);
  const ctx = out.getContext("2d");
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, out.width, out.height);
  deltas.forEach((d, i) => {
    const { canvas, chart } = panel(cells, d, contenders);
    ctx.drawImage(canvas, i * PANEL.width, 0);
    chart.destroy(); // clears its canvas, so only after it was copied
  });
  return out.toBuffer("image/png");
}
