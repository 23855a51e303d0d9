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
 * @returns {import('uplot').Options}
 */
function chartOptions(colours, width, saturationAt) {
  const axis = { stroke: colours.axis, grid: { stroke: colours.grid, width: 1 }, ticks: { stroke: colours.grid, width: 1 } };
  return {
    width,
    height: CHART_HEIGHT,
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, min, max) => [0, Math.max(1, max * 1.1, min)] } },
    axes: [axis, { ...axis, label: 'active tasks', size: 50 }],
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
      chart = new UPlotCtor(chartOptions(themeColours(), chartWidth(), () => saturationAt), shaped.data, frame);
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
    ['Saturation', saturating && shaped.saturationAt !== null ? `in ${formatDuration(f.saturation_seconds)} (at ${formatClock(shaped.saturationAt * 1000)})` : saturationText(f)],
  ];
  const validity = f.valid ? null : note(`Forecast not valid yet: ${analysis.filled_points} of ${analysis.window_points} window points filled.`);
  const horizons =
    f.horizons.length === 0
      ? null
      : h('table', { class: 'horizons' }, [
          h('caption', { text: 'Forecast load (active tasks) with its band' }),
          h('thead', {}, [h('tr', {}, [h('th', { scope: 'col', text: 'Horizon' }), h('th', { scope: 'col', class: 'num', text: 'Forecast' }), h('th', { scope: 'col', class: 'num', text: 'Band' })])]),
          h(
            'tbody',
            {},
            f.horizons.map((hz) =>
              h('tr', {}, [h('th', { scope: 'row', text: hz.horizon }), h('td', { class: 'num', text: trimNumber(hz.load, 3) }), h('td', { class: 'num', text: `${trimNumber(hz.lower, 3)} – ${trimNumber(hz.upper, 3)}` })]),
            ),
          ),
        ]);
  const scaling =
    f.scaling.length === 0
      ? null
      : h(
          'ul',
          { class: 'scaling', 'aria-label': 'Scaling recommendation' },
          f.scaling.map((s) => h('li', { text: `${s.type}: ${s.current} → ${s.recommended} agents (confidence ${formatPercent(s.confidence)})` })),
        );
  replaceKeepingFocus(container, [
    h('dl', { class: `facts${saturating ? ' saturating' : ''}` }, facts.flatMap(([term, value]) => [h('dt', { text: term }), h('dd', { text: value })])),
    validity,
    horizons,
    scaling,
  ]);
}
