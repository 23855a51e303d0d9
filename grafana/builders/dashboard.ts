// Assembles rows of panels into a dashboard with the shared variables, time settings and stable panel ids.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import {
  AnnotationQueryBuilder,
  DashboardBuilder,
  DashboardCursorSync,
  DashboardLinkBuilder,
  DashboardLinkType,
  RowBuilder,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dashboard, Panel, VariableModel } from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE } from './panels.js';

/** One dashboard row: a title and the panels under it, left to right, wrapping at 24 columns. */
export interface Row {
  readonly title: string;
  readonly panels: readonly cog.Builder<Panel>[];
}

export interface DashboardSpec {
  /** Stable uid: links between dashboards and provisioning rely on it. */
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly variables: readonly cog.Builder<VariableModel>[];
  readonly rows: readonly Row[];
}

/** Tag shared by every dashboard of the pack; the dashboards link to each other through it. */
export const PACK_TAG = 'agentswarm';

/** Marks on every time series panel when an AgentSwarm alert fires (from Prometheus' ALERTS series). */
function alertAnnotation(): AnnotationQueryBuilder {
  return new AnnotationQueryBuilder()
    .name('AgentSwarm alerts')
    .datasource(DATASOURCE)
    .enable(true)
    .iconColor('red')
    .expr('ALERTS{alertname=~"AgentSwarm.*", alertstate="firing"}')
    .step('60s')
    .titleFormat('{{alertname}}')
    .textFormat('{{severity}} {{swarm}} {{agent}}')
    .tagKeys('severity,coordination_type,priority');
}

/**
 * Builds the dashboard and numbers every panel (rows included) 1..n in layout order, so ids
 * are unique and stable across regenerations (the SDK leaves them unset or 0).
 */
export function buildDashboard(spec: DashboardSpec): Dashboard {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([PACK_TAG])
    .editable()
    .tooltip(DashboardCursorSync.Crosshair)
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .timezone('browser')
    .annotation(alertAnnotation())
    .link(
      new DashboardLinkBuilder('Agent swarm dashboards')
        .type(DashboardLinkType.Dashboards)
        .tags([PACK_TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true),
    );
  for (const variable of spec.variables) builder.withVariable(variable);
  for (const row of spec.rows) {
    builder.withRow(new RowBuilder(row.title));
    for (const panel of row.panels) builder.withPanel(panel);
  }
  const dashboard = builder.build();
  let id = 0;
  for (const panel of dashboard.panels ?? []) {
    id += 1;
    panel.id = id;
  }
  return dashboard;
}
