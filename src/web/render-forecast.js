// The load forecast: observed load, forecast with its band, capacity and saturation time (uPlot),
// and the same numbers as text and a table (the chart's accessible equivalent).

import { h, note, replaceKeepingFocus } from './dom.js';
import { formatClock, formatDuration, formatPercent, trimNumber } from './format.js';
import { forecastChart } from './model.js';

/**
 * @typedef {import('./model.js').SwarmAnalysis} SwarmAnalysis
 * @typedef {import('./model.js').ForecastChart} ForecastChart
 * @typedef {typeof import('uplot')} UPlotClass
 * @typedef {import('uplot')} UPlot
 * @typedef {{ times: readonly number[], values: readonly (number | null)[] }} Observed
 */

const CHART_HEIGHT = 220;
/** Tick length plus the gap to the tick values (uPlot's defaults: 10 + 5 px). */
const TICK_SPACE = 15;
/** Average width of a tick-value character at the chart's 12 px font, with a margin. */
const CHAR_PX = 7.5;

/**
 * @typedef {{ xMin: number, xMax: number, yMax: number }} ChartBounds
 */

/**
 * The chart's extent: x spans the analysis window and the served horizons; y fits the observed load
 * and the forecast at the served horizons — not the band's edges, which on a noisy load can be many
 * times the load itself (the band is drawn clipped) — and the capacity when it is near that range.
 * @param {SwarmAnalysis} analysis
 * @param {ForecastChart} shaped
 * @returns {ChartBounds}
 */
export function chartBounds(analysis, shaped) {
  const nowSec = Math.round(analysis.computed_at / 1000);
  const f = analysis.forecast;
  const longest = f.valid ? f.horizons.reduce((m, hz) => Math.max(m, hz.horizon_seconds), 0) : 0;
  const windowSec = analysis.window_points * analysis.step_seconds;
  const xs = shaped.data[0];
  const xMin = Math.min(nowSec - windowSec, xs[0] ?? nowSec);
  const xMax = Math.max(nowSec + longest, nowSec + 1);
  let top = 0;
  for (const series of [shaped.data[1], shaped.data[2]])
    for (const v of series) if (typeof v === 'number' && Number.isFinite(v)) top = Math.max(top, v);
  // Capacity is shown when the load could reach it in the picture; far above, it would flatten the load.
  if (shaped.capacity !== null && shaped.capacity <= Math.max(1, top) * 1.5) top = Math.max(top, shaped.capacity);
  return { xMin, xMax, yMax: Math.max(1, top * 1.1) };
}

/**
 * The uPlot constructor, loaded by a classic script before the modules; undefined if it failed to
 * load (the text summary still works).
 * @returns {UPlotClass | undefined}
 */
function uPlotClass() {
  const candidate = Reflect.get(globalThis, 'uPlot');
  return typeof candidate === 'function' ? /** @type {UPlotClass} */ (candidate) : undefined;
}

/** Chart colours from the theme's CSS custom properties. */
function themeColours() {
  const css = getComputedStyle(document.documentElement);
  /** @param {string} name @param {string} fallback */
  const read = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
  return {
    observed: read('--chart-observed', '#0072b2'),
    forecast: read('--chart-forecast', '#d55e00'),
    band: read('--chart-band', 'rgba(213, 94, 0, 0.18)'),
    capacity: read('--chart-capacity', '#555555'),
    saturation: read('--chart-saturation', '#cc79a7'),
    axis: read('--ink-muted', '#555555'),
    surface: read('--surface', '#ffffff'),
    grid: read('--grid', '#dddddd'),
  };
}

/**
 * @param {ReturnType<typeof themeColours>} colours
 * @param {number} width
 * @param {() => number | null} saturationAt  seconds since the epoch
 * @param {() => ChartBounds} bounds
 * @returns {import('uplot').Options}
 */
function chartOptions(colours, width, saturationAt, bounds) {
  const axis = { stroke: colours.axis, grid: { stroke: colours.grid, width: 1 }, ticks: { stroke: colours.grid, width: 1 } };
  /**
   * The y axis is as wide as its widest tick value, so the values never run into the axis label
   * (which uPlot places in its own `labelSize` strip outside `size`).
   * @param {unknown} _u @param {string[] | null} values
   */
  const ySize = (_u, values) => TICK_SPACE + CHAR_PX * Math.max(2, ...(values ?? []).map((v) => String(v).length));
  return {
    width,
    height: CHART_HEIGHT,
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true, range: () => [bounds().xMin, bounds().xMax] },
      y: { range: () => [0, bounds().yMax] },
    },
    axes: [
      { ...axis, size: 56 },
      { ...axis, label: 'active tasks', labelSize: 18, labelGap: 2, size: ySize },
    ],
    series: [
      {},
      { label: 'observed', stroke: colours.observed, width: 2, points: { fill: colours.surface } },
      { label: 'forecast', stroke: colours.forecast, width: 2, dash: [6, 4], spanGaps: true, points: { fill: colours.surface } },
      { label: 'band low', stroke: colours.band, width: 1, spanGaps: true },
      { label: 'band high', stroke: colours.band, width: 1, spanGaps: true },
      { label: 'capacity', stroke: colours.capacity, width: 1.5, dash: [2, 3] },
    ],
    bands: [{ series: [4, 3], fill: colours.band }],
    hooks: {
      draw: [
        (u) => {
          const at = saturationAt();
          if (at === null) return;
          const x = u.valToPos(at, 'x', true);
          if (!Number.isFinite(x) || x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
          const ctx = u.ctx;
          ctx.save();
          ctx.strokeStyle = colours.saturation;
          ctx.lineWidth = 2;
          ctx.setLineDash([4, 4]);
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.restore();
        },
      ],
    },
  };
}

/**
 * A forecast view bound to its containers; keeps one uPlot chart and recreates it when the swarm or
 * the colour scheme changes.
 * @param {{ summary: HTMLElement, chart: HTMLElement }} containers
 */
export function createForecastView(containers) {
  /** @type {UPlot | undefined} */
  let chart;
  let chartKey = '';
  /** @type {number | null} */
  let saturationAt = null;
  /** @type {ChartBounds} */
  let bounds = { xMin: 0, xMax: 1, yMax: 1 };
  const resize = new ResizeObserver(() => {
    if (chart !== undefined) chart.setSize({ width: chartWidth(), height: CHART_HEIGHT });
  });
  resize.observe(containers.chart);

  const chartWidth = () => Math.max(240, Math.floor(containers.chart.clientWidth));

  function dropChart() {
    chart?.destroy();
    chart = undefined;
    chartKey = '';
    containers.chart.replaceChildren();
  }

  /**
   * @param {{ analysis: SwarmAnalysis, observed: Observed, theme: string }} view
   */
  function update(view) {
    const { analysis } = view;
    const f = analysis.forecast;
    const nowSec = Math.round(analysis.computed_at / 1000);
    const shaped = forecastChart(f, nowSec, view.observed);
    saturationAt = shaped.saturationAt;
    bounds = chartBounds(analysis, shaped);
    renderSummary(containers.summary, analysis, shaped);
    const UPlotCtor = uPlotClass();
    if (UPlotCtor === undefined || shaped.data[0].length < 2) {
      dropChart();
      containers.chart.append(note(UPlotCtor === undefined ? 'Chart library not loaded.' : 'The chart appears after a few observations.'));
      return;
    }
    const key = `${analysis.swarm}|${view.theme}`;
    if (chart === undefined || key !== chartKey) {
      dropChart();
      chartKey = key;
      const frame = h('div', { role: 'img', 'aria-label': chartLabel(analysis, shaped) });
      containers.chart.append(frame);
      chart = new UPlotCtor(
        chartOptions(
          themeColours(),
          chartWidth(),
          () => saturationAt,
          () => bounds,
        ),
        shaped.data,
        frame,
      );
    } else {
      chart.setData(shaped.data);
      chart.root.parentElement?.setAttribute('aria-label', chartLabel(analysis, shaped));
    }
  }

  return {
    update,
    /** @param {string} message */
    unavailable(message) {
      dropChart();
      replaceKeepingFocus(containers.summary, [note(message)]);
    },
  };
}

/**
 * @param {SwarmAnalysis} analysis
 * @param {ForecastChart} shaped
 */
function chartLabel(analysis, shaped) {
  const f = analysis.forecast;
  const last = f.horizons[f.horizons.length - 1];
  const parts = [`Load of swarm ${analysis.swarm}: now ${f.load_now === null ? 'unknown' : trimNumber(f.load_now, 3)} active tasks`];
  if (f.valid && last !== undefined) parts.push(`forecast ${trimNumber(last.load, 3)} in ${last.horizon}`);
  if (shaped.capacity !== null) parts.push(`capacity ${trimNumber(shaped.capacity, 3)}`);
  parts.push(saturationText(f));
  return parts.join('; ');
}

/**
 * @param {import('./model.js').Forecast} f
 */
function saturationText(f) {
  if (!f.valid) return 'saturation unknown until the forecast is valid';
  if (f.capacity === null) return 'saturation unknown: no agent declared a capacity';
  if (f.saturation_seconds === null) return 'no saturation expected within reach';
  return `saturation in ${formatDuration(f.saturation_seconds)}`;
}

/**
 * The saturation time's 95 % range, e.g. "; 95 %: 12 min – beyond the window".
 * @param {import('./model.js').Forecast} f
 */
function saturationRange(f) {
  const s = f.saturation;
  if (s === null || s === undefined) return '';
  const latest = s.latest_seconds === null ? 'beyond the window' : formatDuration(s.latest_seconds);
  return `; 95 %: ${formatDuration(s.earliest_seconds)} – ${latest}`;
}

/**
 * @param {HTMLElement} container
 * @param {SwarmAnalysis} analysis
 * @param {ForecastChart} shaped
 */
function renderSummary(container, analysis, shaped) {
  const f = analysis.forecast;
  const saturating = f.valid && f.saturation_seconds !== null;
  const facts = [
    ['Load now', f.load_now === null ? '—' : `${trimNumber(f.load_now, 3)} active tasks`],
    ['Capacity', f.capacity === null ? 'not declared' : `${trimNumber(f.capacity, 3)} slots`],
    [
      'Saturation',
      saturating && shaped.saturationAt !== null
        ? `in ${formatDuration(f.saturation_seconds)} (at ${formatClock(shaped.saturationAt * 1000)})${saturationRange(f)}`
        : saturationText(f),
    ],
    ['Confidence', f.valid && typeof f.confidence === 'number' ? formatPercent(f.confidence) : '—'],
  ];
  const validity = f.valid
    ? null
    : note(`Forecast not valid yet: ${analysis.filled_points} of ${analysis.window_points} window points filled.`);
  const horizons =
    f.horizons.length === 0
      ? null
      : h('table', { class: 'horizons' }, [
          h('caption', { text: 'Forecast load (active tasks) with its band' }),
          h('thead', {}, [
            h('tr', {}, [
              h('th', { scope: 'col', text: 'Horizon' }),
              h('th', { scope: 'col', class: 'num', text: 'Forecast' }),
              h('th', { scope: 'col', class: 'num', text: 'Band' }),
            ]),
          ]),
          h(
            'tbody',
            {},
            f.horizons.map((hz) =>
              h('tr', {}, [
                h('th', { scope: 'row', text: hz.horizon }),
                h('td', { class: 'num', text: trimNumber(hz.load, 3) }),
                h('td', { class: 'num', text: `${trimNumber(hz.lower, 3)} – ${trimNumber(hz.upper, 3)}` }),
              ]),
            ),
          ),
        ]);
  const scaling =
    f.scaling.length === 0
      ? null
      : h(
          'ul',
          { class: 'scaling', 'aria-label': 'Scaling recommendation' },
          f.scaling.map((s) =>
            h('li', { text: `${s.type}: ${s.current} → ${s.recommended} agents (confidence ${formatPercent(s.confidence)})` }),
          ),
        );
  replaceKeepingFocus(container, [
    h(
      'dl',
      { class: `facts${saturating ? ' saturating' : ''}` },
      facts.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', { text: value })]),
    ),
    validity,
    horizons,
    scaling,
  ]);
}
