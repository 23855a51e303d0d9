// Pure text formatting for the status page: scores, durations, metric values, statuses, times.

/**
 * @typedef {'optimal' | 'good' | 'degraded' | 'critical' | 'failed' | 'pending'} StatusKey
 * @typedef {{ key: StatusKey, label: string, icon: string, rank: number }} StatusInfo
 */

/**
 * The five health statuses of docs/design.md#domain-model (best first) plus `pending` for an agent not scored yet.
 * Each has a distinct icon shape so that status never rests on colour alone.
 * @type {readonly StatusInfo[]}
 */
export const STATUSES = Object.freeze([
  { key: 'optimal', label: 'Optimal', icon: '◆', rank: 0 },
  { key: 'good', label: 'Good', icon: '✔', rank: 1 },
  { key: 'degraded', label: 'Degraded', icon: '▲', rank: 2 },
  { key: 'critical', label: 'Critical', icon: '✖', rank: 3 },
  { key: 'failed', label: 'Failed', icon: '■', rank: 4 },
  { key: 'pending', label: 'Pending', icon: '…', rank: 5 },
]);

/**
 * Display information of a health status; unknown or null (not scored yet) is `pending`.
 * @param {string | null | undefined} status
 * @returns {StatusInfo}
 */
export function statusInfo(status) {
  const found = STATUSES.find((s) => s.key === status);
  // STATUSES is a non-empty literal: the last entry is `pending`.
  return found ?? /** @type {StatusInfo} */ (STATUSES[STATUSES.length - 1]);
}

/**
 * Coordination task statuses of docs/design.md#domain-model with their icons.
 * @type {Readonly<Record<string, { label: string, icon: string }>>}
 */
export const TASK_STATUSES = Object.freeze({
  queued: { label: 'Queued', icon: '◷' },
  running: { label: 'Running', icon: '▶' },
  succeeded: { label: 'Delivered', icon: '✔' },
  failed: { label: 'Failed', icon: '✖' },
  cancelled: { label: 'Cancelled', icon: '⊘' },
});

/**
 * @param {string} status
 * @returns {{ label: string, icon: string }}
 */
export function taskStatusInfo(status) {
  return TASK_STATUSES[status] ?? { label: status, icon: '?' };
}

const DASH = '—';

/**
 * A score in [0, 1] with two decimals; "—" when absent or not finite.
 * @param {number | null | undefined} score
 */
export function formatScore(score) {
  return typeof score === 'number' && Number.isFinite(score) ? score.toFixed(2) : DASH;
}

/**
 * A ratio (0.123) as a percentage ("12.3 %"); one decimal below 10 %, none above.
 * @param {number | null | undefined} ratio
 */
export function formatPercent(ratio) {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) return DASH;
  const pct = ratio * 100;
  const digits = Math.abs(pct) < 10 && pct !== 0 ? 1 : 0;
  return `${pct.toFixed(digits)} %`;
}

/**
 * A signed relative change (0.12 -> "+12 %", -0.05 -> "−5.0 %"), for task impact and variant effects.
 * @param {number | null | undefined} ratio
 */
export function formatSignedPercent(ratio) {
  if (typeof ratio !== 'number' || !Number.isFinite(ratio)) return DASH;
  const text = formatPercent(Math.abs(ratio));
  if (ratio > 0) return `+${text}`;
  // U+2212 minus sign: same width as plus, read correctly by screen readers.
  if (ratio < 0) return `−${text}`;
  return text;
}

/**
 * A duration in seconds as at most two units: "45 s", "4 min 30 s", "2 h 5 min", "3 d 4 h".
 * Sub-second values show as milliseconds. "—" for null, negative or non-finite input.
 * @param {number | null | undefined} seconds
 */
export function formatDuration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return DASH;
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  const total = Math.round(seconds);
  const units = /** @type {const} */ ([
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
    ['s', 1],
  ]);
  /** @type {string[]} */
  const parts = [];
  let rest = total;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || (parts.length > 0 && parts.length < 2)) {
      if (parts.length < 2) parts.push(`${n} ${unit}`);
      rest -= n * size;
    }
    if (parts.length === 2) break;
  }
  // Drop a trailing zero part: "2 h 0 min" reads better as "2 h".
  if (parts.length === 2 && parts[1]?.startsWith('0 ')) parts.pop();
  return parts.join(' ');
}

/**
 * Time elapsed since an ISO timestamp, relative to `nowMs`: "just now", "12 s ago", "3 min ago".
 * @param {string | null | undefined} iso
 * @param {number} nowMs
 */
export function formatAgo(iso, nowMs) {
  if (typeof iso !== 'string') return DASH;
  const then = Date.parse(iso);
  if (!Number.isFinite(then)) return DASH;
  const seconds = (nowMs - then) / 1000;
  // Clocks of the browser and the exporter differ a little: a small negative age is "just now".
  if (seconds < 1) return 'just now';
  return `${formatDuration(seconds)} ago`;
}

/** Canonical metrics (docs/design.md#domain-model) that are ratios in [0, 1]. */
const RATIO_METRICS = new Set(['cpu_usage', 'memory_usage', 'error_rate', 'coordination_load']);
/** Canonical metrics that count tasks. */
const COUNT_METRICS = new Set(['queue_depth', 'active_tasks']);

/**
 * A metric value in its unit (docs/design.md#domain-model): ratios as percent, response time in s or ms,
 * throughput per second, task counts, custom metrics with three significant digits.
 * @param {string} metric
 * @param {number | null | undefined} value
 */
export function formatMetricValue(metric, value) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return DASH;
  if (RATIO_METRICS.has(metric)) return formatPercent(value);
  if (metric === 'response_time') return value < 1 ? `${Math.round(value * 1000)} ms` : `${trimNumber(value, 3)} s`;
  if (metric === 'throughput') return `${trimNumber(value, 3)} /s`;
  if (COUNT_METRICS.has(metric)) return Number.isInteger(value) ? String(value) : value.toFixed(1);
  return trimNumber(value, 3);
}

/**
 * `value` rounded to `significant` significant digits, without exponent for magnitudes in
 * [0.001, 1e6) and without trailing zeros: 1.50 -> "1.5", 1234 -> "1230".
 * @param {number | null | undefined} value
 * @param {number} significant
 */
export function trimNumber(value, significant) {
  // JSON has no NaN: a score the server could not compute may arrive as null.
  if (typeof value !== 'number' || !Number.isFinite(value)) return DASH;
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e6 || magnitude < 1e-3) return value.toExponential(significant - 1);
  // Number() drops trailing zeros; String() of a number in this range never uses an exponent.
  return String(Number(value.toPrecision(significant)));
}

/**
 * A Pearson r with its sign: "+0.93", "−0.41"; "—" when undefined.
 * @param {number | null | undefined} r
 */
export function formatCorrelation(r) {
  if (typeof r !== 'number' || !Number.isFinite(r)) return DASH;
  const text = Math.abs(r).toFixed(2);
  return r < 0 ? `−${text}` : `+${text}`;
}

/**
 * Wall-clock time "14:03:07" of an epoch-ms instant in the browser's time zone.
 * @param {number} ms
 */
export function formatClock(ms) {
  const d = new Date(ms);
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * Human name of a snake_case identifier: "queue_growth" -> "queue growth".
 * @param {string} name
 */
export function humanise(name) {
  return name.replaceAll('_', ' ');
}
