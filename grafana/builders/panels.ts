// Panel and query helpers shared by every dashboard: one datasource reference, units and descriptions required.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import {
  BarGaugeDisplayMode,
  BigValueColorMode,
  BigValueGraphMode,
  BigValueTextMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  StackingConfigBuilder,
  StackingMode,
  TableSortByFieldStateBuilder,
  VisibilityMode,
  VizLegendOptionsBuilder,
  VizOrientation,
} from '@grafana/grafana-foundation-sdk/common';
import { MappingType, ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Panel, ThresholdsConfig, ValueMapping } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as BarGaugeBuilder } from '@grafana/grafana-foundation-sdk/bargauge';
import { PanelBuilder as NodeGraphBuilder } from '@grafana/grafana-foundation-sdk/nodegraph';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatBuilder } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as StateTimelineBuilder } from '@grafana/grafana-foundation-sdk/statetimeline';
import { PanelBuilder as TableBuilder } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeseriesBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

/** Name of the datasource template variable every dashboard defines. */
export const DATASOURCE_VARIABLE = 'datasource';

/**
 * The only datasource reference panels and queries use: the template variable, so that a
 * dashboard works against whichever Prometheus the viewer picks (provisioned uid `prometheus`).
 */
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: `\${${DATASOURCE_VARIABLE}}` };

/** Grafana unit for tasks per second (a custom suffix unit: Grafana has no "tasks" unit). */
export const TASKS_PER_SECOND = 'suffix: tasks/s';

/** One PromQL query of a panel. */
export interface Query {
  readonly expr: string;
  /** Legend template, e.g. `{{agent}}`; defaults to Grafana's series name. */
  readonly legend?: string;
  /** Instant query (latest value only): for stats, bar gauges and tables. */
  readonly instant?: boolean;
  /** Return the result as a table (one column per label) rather than time series. */
  readonly table?: boolean;
  /** Query id; defaults to A, B, C… by position (the node graph needs `nodes` and `edges`). */
  readonly refId?: string;
}

/** A colour step: from `value` upwards (null = from minus infinity) the colour applies. */
export interface Step {
  readonly value: number | null;
  readonly color: string;
}

/** What every panel must say about itself. */
export interface PanelSpec {
  readonly title: string;
  /** What the panel shows and how to read it; Grafana shows it as the panel's info tooltip. */
  readonly description: string;
  /** Grafana unit id: 'percentunit' (0..1 shown as %), 's', 'short', 'none', or a custom unit. */
  readonly unit: string;
  readonly queries: readonly Query[];
  /** Width in 24ths of the dashboard (default 12). */
  readonly width?: number;
  /** Height in grid rows of 30px (default 8). */
  readonly height?: number;
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
  /** Colour steps, lowest first. */
  readonly steps?: readonly Step[];
}

/** Health-like 0..1 scores: red below 0.5, orange below 0.75, yellow below 0.9, green above. */
export const HEALTH_STEPS: readonly Step[] = [
  { value: null, color: 'red' },
  { value: 0.5, color: 'orange' },
  { value: 0.75, color: 'yellow' },
  { value: 0.9, color: 'green' },
];

/** Scores where high is bad (bottleneck, utilisation): green, then orange at 0.7, red at 0.8. */
export const PRESSURE_STEPS: readonly Step[] = [
  { value: null, color: 'green' },
  { value: 0.7, color: 'orange' },
  { value: 0.8, color: 'red' },
];

function target(query: Query, index: number): DataqueryBuilder {
  const builder = new DataqueryBuilder()
    .refId(query.refId ?? String.fromCharCode(65 + index))
    .datasource(DATASOURCE)
    .expr(query.expr)
    .legendFormat(query.legend ?? '__auto');
  if (query.instant === true) builder.instant();
  else builder.range();
  if (query.table === true) builder.format(PromQueryFormat.Table);
  return builder;
}

function thresholds(steps: readonly Step[]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps.map((s) => ({ value: s.value, color: s.color })));
}

/** The settings every panel type shares, applied to any of the SDK's panel builders. */
interface CommonPanelBuilder<T> {
  title(title: string): T;
  description(description: string): T;
  unit(unit: string): T;
  datasource(datasource: DataSourceRef): T;
  span(w: number): T;
  height(h: number): T;
  min(min: number): T;
  max(max: number): T;
  decimals(decimals: number): T;
  thresholds(thresholds: cog.Builder<ThresholdsConfig>): T;
  withTarget(target: cog.Builder<cog.Dataquery>): T;
}

function applyCommon<T extends CommonPanelBuilder<T>>(builder: T, spec: PanelSpec): T {
  builder
    .title(spec.title)
    .description(spec.description)
    .unit(spec.unit)
    .datasource(DATASOURCE)
    .span(spec.width ?? 12)
    .height(spec.height ?? 8);
  if (spec.min !== undefined) builder.min(spec.min);
  if (spec.max !== undefined) builder.max(spec.max);
  if (spec.decimals !== undefined) builder.decimals(spec.decimals);
  if (spec.steps !== undefined) builder.thresholds(thresholds(spec.steps));
  spec.queries.forEach((q, i) => builder.withTarget(target(q, i)));
  return builder;
}

function legend(asTable: boolean): VizLegendOptionsBuilder {
  return new VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(asTable ? LegendDisplayMode.Table : LegendDisplayMode.List)
    .placement(asTable ? LegendPlacement.Right : LegendPlacement.Bottom)
    .calcs(asTable ? ['lastNotNull', 'max'] : []);
}

export interface TimeseriesOptions {
  /** Stack the series (counts that add up, e.g. agents per status). */
  readonly stacked?: boolean;
  /** Draw the colour steps as dashed lines (alert thresholds). */
  readonly thresholdLines?: boolean;
  /** Legend as a table on the right with last and max values. */
  readonly legendTable?: boolean;
  /** Fill from the series named `upper` down to the series named `lower` (a band). */
  readonly band?: { readonly upper: string; readonly lower: string };
}

/** A time series panel. */
export function timeseries(spec: PanelSpec, options: TimeseriesOptions = {}): cog.Builder<Panel> {
  const builder = applyCommon(new TimeseriesBuilder(), spec)
    .legend(legend(options.legendTable === true))
    .fillOpacity(options.stacked === true ? 60 : 10)
    .lineWidth(1);
  if (options.stacked === true) builder.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
  if (options.thresholdLines === true) {
    builder.thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
  }
  if (options.band !== undefined) {
    builder.overrideByName(options.band.upper, [{ id: 'custom.fillBelowTo', value: options.band.lower }]);
    builder.overrideByName(options.band.lower, [{ id: 'custom.fillOpacity', value: 0 }]);
  }
  return builder;
}

export interface StatOptions {
  /** Colour the tile background rather than the number (a grid of coloured tiles). */
  readonly background?: boolean;
  /** Show the series name with the value (one tile per series). */
  readonly named?: boolean;
  /** Shown when the query returns nothing, e.g. "never" for an absent saturation time. */
  readonly noValue?: string;
  readonly mappings?: readonly ValueMapping[];
}

/** A single-value (or one tile per series) panel showing the latest value. */
export function stat(spec: PanelSpec, options: StatOptions = {}): cog.Builder<Panel> {
  const builder = applyCommon(new StatBuilder(), spec)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .graphMode(BigValueGraphMode.None)
    .colorMode(options.background === true ? BigValueColorMode.Background : BigValueColorMode.Value)
    .textMode(options.named === true ? BigValueTextMode.ValueAndName : BigValueTextMode.Auto)
    .orientation(VizOrientation.Auto);
  if (options.noValue !== undefined) builder.noValue(options.noValue);
  if (options.mappings !== undefined) builder.mappings([...options.mappings]);
  return builder;
}

/** Horizontal bars, one per series: rankings. */
export function barGauge(spec: PanelSpec): cog.Builder<Panel> {
  return applyCommon(new BarGaugeBuilder(), spec)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .displayMode(BarGaugeDisplayMode.Gradient)
    .orientation(VizOrientation.Horizontal)
    .showUnfilled(true);
}

/** A table of an instant query, one row per series, labels as columns. */
export function table(spec: PanelSpec, sortBy?: { readonly column: string; readonly desc: boolean }): cog.Builder<Panel> {
  const builder = applyCommon(new TableBuilder(), spec)
    // Drop Grafana's Time column: the table shows the latest value only.
    .withTransformation({ id: 'organize', options: { excludeByName: { Time: true } } });
  if (sortBy !== undefined) builder.sortBy([new TableSortByFieldStateBuilder().displayName(sortBy.column).desc(sortBy.desc)]);
  return builder;
}

/** A state timeline: one lane per series, coloured by value mappings. */
export function stateTimeline(spec: PanelSpec, mappings: readonly ValueMapping[]): cog.Builder<Panel> {
  return applyCommon(new StateTimelineBuilder(), spec)
    .mappings([...mappings])
    .showValue(VisibilityMode.Never)
    .mergeValues(true);
}

/** Maps exact values to text and colour, e.g. 1 → "up" (green), 0 → "down" (red). */
export function valueMappings(entries: Readonly<Record<string, { readonly text: string; readonly color: string }>>): ValueMapping {
  const options: Record<string, { text: string; color: string; index: number }> = {};
  Object.entries(entries).forEach(([value, result], index) => {
    options[value] = { text: result.text, color: result.color, index };
  });
  return { type: MappingType.ValueToText, options };
}

/**
 * A node graph from two table queries with refIds `nodes` (a column `id`) and `edges` (columns
 * `id`, `source`, `target`), which is how Grafana's Node Graph panel recognises its frames; each
 * query's Value becomes the `mainstat` shown on the node or edge.
 */
export function nodeGraph(spec: PanelSpec): cog.Builder<Panel> {
  return applyCommon(new NodeGraphBuilder(), spec).withTransformation({
    id: 'organize',
    options: { excludeByName: { Time: true }, renameByName: { Value: 'mainstat', 'Value #nodes': 'mainstat', 'Value #edges': 'mainstat' } },
  });
}
