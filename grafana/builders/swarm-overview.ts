// Swarm overview dashboard: health grid and statuses, throughput and errors, active alerts, variants, the exporter itself.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildDashboard, type Row } from './dashboard.js';
import { HEALTH_STEPS, TASKS_PER_SECOND, barGauge, stat, table, timeseries } from './panels.js';
import { datasourceVariable, swarmVariable } from './variables.js';

/** Matches the selected swarms; `$swarm` is `.*` for All. */
const S = 'swarm=~"$swarm"';

function healthRow(): Row {
  return {
    title: 'Swarm health',
    panels: [
      stat(
        {
          title: 'Agents up',
          description:
            'Agents that sent a heartbeat or a sample within agents.heartbeat_timeout, per swarm (swarm:agentswarm_agent_up:sum).',
          unit: 'short',
          queries: [{ expr: `swarm:agentswarm_agent_up:sum{${S}}`, legend: '{{swarm}}', instant: true }],
          width: 4,
          height: 6,
        },
        { named: true },
      ),
      stat(
        {
          title: 'Agents known',
          description:
            'Agents the exporter knows, up or down, per swarm; a failed agent leaves after agents.expire_after (swarm:agentswarm_agent_up:count).',
          unit: 'short',
          queries: [{ expr: `swarm:agentswarm_agent_up:count{${S}}`, legend: '{{swarm}}', instant: true }],
          width: 4,
          height: 6,
        },
        { named: true },
      ),
      stat(
        {
          title: 'Mean health score',
          description:
            'Mean agent health score per swarm, 0..1 shown as %, 100% = every agent nominal (swarm:agentswarm_agent_health_score:avg). Red below 50%, orange below 75%, yellow below 90%.',
          unit: 'percentunit',
          queries: [{ expr: `swarm:agentswarm_agent_health_score:avg{${S}}`, legend: '{{swarm}}', instant: true }],
          min: 0,
          max: 1,
          steps: HEALTH_STEPS,
          width: 4,
          height: 6,
        },
        { named: true },
      ),
      timeseries(
        {
          title: 'Agents by health status',
          description:
            'Number of agents in each health status (optimal, good, degraded, critical, failed) over time, selected swarms added up (swarm_status:agentswarm_agents:sum).',
          unit: 'short',
          queries: [{ expr: `sum by (status) (swarm_status:agentswarm_agents:sum{${S}})`, legend: '{{status}}' }],
          min: 0,
          width: 12,
          height: 6,
        },
        { stacked: true },
      ),
      stat(
        {
          title: 'Health grid (least healthy 100 agents)',
          description:
            'One tile per agent, coloured by its health score (0..1 shown as %): red below 50%, orange below 75%, yellow below 90%, green above. Limited to the 100 least healthy agents so the grid stays readable at 1,000+ agents.',
          unit: 'percentunit',
          queries: [{ expr: `bottomk(100, agentswarm_agent_health_score{${S}})`, legend: '{{swarm}}/{{agent}}', instant: true }],
          min: 0,
          max: 1,
          steps: HEALTH_STEPS,
          width: 24,
          height: 8,
        },
        { background: true, named: true },
      ),
    ],
  };
}

function throughputRow(): Row {
  return {
    title: 'Throughput and errors',
    panels: [
      timeseries({
        title: 'Throughput',
        description:
          'Completed tasks per second of each swarm, all agents added up (swarm:agentswarm_agent_throughput_tasks_per_second:sum).',
        unit: TASKS_PER_SECOND,
        queries: [{ expr: `swarm:agentswarm_agent_throughput_tasks_per_second:sum{${S}}`, legend: '{{swarm}}' }],
        min: 0,
        width: 8,
      }),
      timeseries(
        {
          title: 'Error ratio',
          description:
            'Share of failed tasks per swarm, each agent weighted by its throughput (swarm:agentswarm_agent_error_ratio:weighted_avg). The dashed line is the 1% error budget of the 99% SLO of AgentSwarmErrorBudgetBurn.',
          unit: 'percentunit',
          queries: [{ expr: `swarm:agentswarm_agent_error_ratio:weighted_avg{${S}}`, legend: '{{swarm}}' }],
          min: 0,
          steps: [
            { value: null, color: 'green' },
            { value: 0.01, color: 'red' },
          ],
          width: 8,
        },
        { thresholdLines: true },
      ),
      timeseries(
        {
          title: 'Error budget burn rate',
          description:
            'Error ratio over 1h and 6h divided by the 1% error budget: 1 spends a 30-day budget in 30 days, 14.4 in about 2 days. AgentSwarmErrorBudgetBurn pages at 14.4 (1h) and 6 (6h), dashed.',
          unit: 'suffix:×',
          queries: [
            { expr: `swarm:agentswarm_agent_error_ratio:weighted_avg1h{${S}} / 0.01`, legend: '{{swarm}} 1h' },
            { expr: `swarm:agentswarm_agent_error_ratio:weighted_avg6h{${S}} / 0.01`, legend: '{{swarm}} 6h' },
          ],
          min: 0,
          steps: [
            { value: null, color: 'green' },
            { value: 6, color: 'orange' },
            { value: 14.4, color: 'red' },
          ],
          width: 8,
        },
        { thresholdLines: true },
      ),
      timeseries({
        title: 'Response time',
        description:
          'Mean and slowest latest response time of the agents of each swarm, in seconds (swarm:agentswarm_agent_response_time_seconds:avg and :max).',
        unit: 's',
        queries: [
          { expr: `swarm:agentswarm_agent_response_time_seconds:avg{${S}}`, legend: '{{swarm}} mean' },
          { expr: `swarm:agentswarm_agent_response_time_seconds:max{${S}}`, legend: '{{swarm}} max' },
        ],
        min: 0,
        width: 12,
      }),
      timeseries({
        title: 'Queued and active tasks',
        description: 'Tasks waiting (queue depth) and in progress (active tasks, the load the forecast predicts) per swarm.',
        unit: 'short',
        queries: [
          { expr: `swarm:agentswarm_agent_queue_depth_tasks:sum{${S}}`, legend: '{{swarm}} queued' },
          { expr: `swarm:agentswarm_agent_active_tasks:sum{${S}}`, legend: '{{swarm}} active' },
        ],
        min: 0,
        width: 12,
      }),
    ],
  };
}

function alertsRow(): Row {
  return {
    title: 'Active alerts',
    panels: [
      table(
        {
          title: 'Firing alerts',
          description:
            'AgentSwarm alerts firing now, with their labels. Alerts with a coordination_type become coordination tasks; the others page a human. Meta alerts have no swarm and are always listed.',
          unit: 'none',
          queries: [{ expr: `ALERTS{alertname=~"AgentSwarm.*", alertstate="firing", swarm=~"$swarm|"}`, instant: true, table: true }],
          width: 16,
        },
        { column: 'alertname', desc: false },
      ),
      timeseries(
        {
          title: 'Firing alerts over time',
          description: 'Number of firing AgentSwarm alerts per alert name.',
          unit: 'short',
          queries: [
            {
              expr: `count by (alertname) (ALERTS{alertname=~"AgentSwarm.*", alertstate="firing", swarm=~"$swarm|"})`,
              legend: '{{alertname}}',
            },
          ],
          min: 0,
          width: 8,
        },
        { stacked: true },
      ),
    ],
  };
}

function variantsRow(): Row {
  return {
    title: 'Variants (A/B)',
    panels: [
      barGauge({
        title: 'Variant effect against the baseline',
        description:
          'Mean of each metric for a variant divided by the baseline variant mean, minus 1 (agentswarm_variant_effect_ratio): +10% throughput or -10% response time is better. Read it with the p-values next to it.',
        unit: 'percentunit',
        queries: [{ expr: `agentswarm_variant_effect_ratio{${S}}`, legend: '{{swarm}} {{variant}} {{metric}}', instant: true }],
        min: -1,
        max: 1,
        width: 12,
      }),
      table(
        {
          title: 'Variant p-values',
          description:
            'p-value of the difference between each variant and the baseline, per metric (agentswarm_variant_p_value): below 0.01 the difference is significant.',
          unit: 'none',
          decimals: 4,
          queries: [{ expr: `agentswarm_variant_p_value{${S}}`, instant: true, table: true }],
          width: 6,
        },
        { column: 'Value', desc: false },
      ),
      table(
        {
          title: 'Agents per variant',
          description: 'Number of known agents of each type and variant (agentswarm_agent_info).',
          unit: 'short',
          queries: [{ expr: `count by (swarm, type, variant) (agentswarm_agent_info{${S}})`, instant: true, table: true }],
          width: 6,
        },
        { column: 'swarm', desc: false },
      ),
    ],
  };
}

function exporterRow(): Row {
  return {
    title: 'Exporter',
    panels: [
      timeseries({
        title: 'Samples ingested',
        description:
          'Samples per second by ingest source (push, scrape, query, otlp) and result (accepted, rejected) (source_result:agentswarm_ingest_samples:rate5m).',
        unit: 'suffix: samples/s',
        queries: [{ expr: 'source_result:agentswarm_ingest_samples:rate5m', legend: '{{source}} {{result}}' }],
        min: 0,
        width: 8,
      }),
      timeseries(
        {
          title: 'Analysis cycle',
          description:
            'Median and 99th percentile duration of one analysis cycle per exporter instance (instance_quantile:agentswarm_analysis_duration_seconds:histogram_quantile), and the age of the last successful cycle; AgentSwarmAnalysisStale fires when the age stays above 300 s.',
          unit: 's',
          queries: [
            { expr: 'instance_quantile:agentswarm_analysis_duration_seconds:histogram_quantile', legend: '{{instance}} p{{quantile}}' },
            { expr: 'time() - agentswarm_analysis_last_success_timestamp_seconds', legend: '{{instance}} age of last success' },
          ],
          min: 0,
          width: 8,
        },
        { legendTable: true },
      ),
      table(
        {
          title: 'Build',
          description: 'Version, revision and Node.js version of each exporter instance (agentswarm_build_info).',
          unit: 'none',
          queries: [{ expr: 'agentswarm_build_info', instant: true, table: true }],
          width: 8,
        },
        { column: 'instance', desc: false },
      ),
      stat(
        {
          title: 'Scrape targets up (pull mode)',
          description:
            'Agents the exporter scrapes itself (scrape.targets, scrape.file_sd): 1 = the last scrape succeeded (agentswarm_scrape_target_up). Empty in push mode.',
          unit: 'none',
          queries: [{ expr: 'agentswarm_scrape_target_up', legend: '{{target}}', instant: true }],
          steps: [
            { value: null, color: 'red' },
            { value: 1, color: 'green' },
          ],
          width: 12,
        },
        { background: true, named: true, noValue: 'push mode: no scrape targets' },
      ),
      timeseries({
        title: 'Scrape duration (pull mode)',
        description:
          'Duration of the last scrape of each target by the exporter, in seconds (agentswarm_scrape_duration_seconds); compare with scrape.timeout.',
        unit: 's',
        queries: [{ expr: 'agentswarm_scrape_duration_seconds', legend: '{{target}}' }],
        min: 0,
        width: 12,
      }),
    ],
  };
}

/**
 * Keeps a process_* / nodejs_* query to the exporter's own targets: every prom-client or Go
 * process exposes the same names, so the series are joined with agentswarm_build_info (one per
 * exporter instance, whatever its job is called).
 */
function ofExporter(expr: string): string {
  return `${expr} * on (job, instance) group_left () agentswarm_build_info`;
}

function exporterProcessRow(): Row {
  return {
    title: 'Exporter process',
    panels: [
      timeseries({
        title: 'Exporter CPU',
        description:
          'CPU time the exporter process uses per second of wall time, per instance (rate of process_cpu_seconds_total); 100% = one full core. The analysis cycle and /metrics rendering are the main users.',
        unit: 'percentunit',
        queries: [{ expr: ofExporter('rate(process_cpu_seconds_total[5m])'), legend: '{{instance}}' }],
        min: 0,
        width: 6,
      }),
      timeseries({
        title: 'Exporter memory',
        description:
          'Resident memory of the exporter process (process_resident_memory_bytes) and the V8 heap in use (nodejs_heap_size_used_bytes), per instance. About 150-250 MiB resident at 1,000 agents; compare with the container memory limit.',
        unit: 'bytes',
        queries: [
          { expr: ofExporter('process_resident_memory_bytes'), legend: '{{instance}} resident' },
          { expr: ofExporter('nodejs_heap_size_used_bytes'), legend: '{{instance}} heap used' },
        ],
        min: 0,
        width: 6,
      }),
      timeseries({
        title: 'Event-loop lag',
        description:
          'Median and 99th percentile delay of the exporter event loop between two scrapes, in seconds (nodejs_eventloop_lag_p50_seconds, nodejs_eventloop_lag_p99_seconds). Above about 50 ms ingest requests and scrapes wait: the analysis or a render holds the loop.',
        unit: 's',
        queries: [
          { expr: ofExporter('nodejs_eventloop_lag_p50_seconds'), legend: '{{instance}} p50' },
          { expr: ofExporter('nodejs_eventloop_lag_p99_seconds'), legend: '{{instance}} p99' },
        ],
        min: 0,
        width: 6,
      }),
      timeseries(
        {
          title: 'Garbage collection and file descriptors',
          description:
            'Share of wall time spent in garbage collection per kind (rate of nodejs_gc_duration_seconds_sum), and open file descriptors as a share of the limit (process_open_fds / process_max_fds; each agent connection and the SQLite files hold one).',
          unit: 'percentunit',
          queries: [
            {
              expr: `sum by (instance, kind) (${ofExporter('rate(nodejs_gc_duration_seconds_sum[5m])')})`,
              legend: '{{instance}} gc {{kind}}',
            },
            { expr: ofExporter('process_open_fds / process_max_fds'), legend: '{{instance}} open fds' },
          ],
          min: 0,
          width: 6,
        },
        { legendTable: true },
      ),
    ],
  };
}

/** Swarm overview: is every swarm healthy, productive and within its error budget? */
export function swarmOverviewDashboard(): Dashboard {
  return buildDashboard({
    uid: 'agentswarm-overview',
    title: 'Agent swarm / Overview',
    description: 'Health, throughput, errors and alerts of every agent swarm, variant experiments, and the exporter itself.',
    variables: [datasourceVariable(), swarmVariable(true)],
    rows: [healthRow(), throughputRow(), alertsRow(), variantsRow(), exporterRow(), exporterProcessRow()],
  });
}
