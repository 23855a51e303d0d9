// Recent values the page has seen, per key (agent or swarm) and metric: the sparklines' memory.

/**
 * A bounded history of observations per key. The API returns only latest values; the page keeps
 * the last `capacity` polls so that an operator sees the recent trend without Grafana. Keys that
 * were not observed in the latest poll can be dropped with `retain`, so memory stays bounded by
 * (live keys x metrics x capacity).
 */
export class History {
  /** @param {number} capacity  points kept per series, >= 2 */
  constructor(capacity) {
    /** @readonly */
    this.capacity = Math.max(2, Math.floor(capacity));
    /** @type {Map<string, { times: number[], series: Map<string, (number | null)[]> }>} */
    this.entries = new Map();
  }

  /**
   * Records one observation of `values` for `key` at `timeMs`. A metric missing from `values`
   * gets a gap (null) so that all series of a key stay aligned with its times. An observation not
   * newer than the key's last one is ignored (polls that answered out of order).
   * @param {string} key
   * @param {number} timeMs
   * @param {Readonly<Record<string, number>>} values
   */
  push(key, timeMs, values) {
    let entry = this.entries.get(key);
    if (entry === undefined) {
      entry = { times: [], series: new Map() };
      this.entries.set(key, entry);
    }
    const last = entry.times[entry.times.length - 1];
    if (last !== undefined && timeMs <= last) return;
    const length = entry.times.length;
    entry.times.push(timeMs);
    for (const metric of Object.keys(values)) {
      if (!entry.series.has(metric)) entry.series.set(metric, new Array(length).fill(null));
    }
    for (const [metric, points] of entry.series) {
      const value = values[metric];
      points.push(typeof value === 'number' && Number.isFinite(value) ? value : null);
    }
    if (entry.times.length > this.capacity) {
      const drop = entry.times.length - this.capacity;
      entry.times.splice(0, drop);
      for (const points of entry.series.values()) points.splice(0, drop);
    }
  }

  /**
   * Times (ms) and values of one series, oldest first; empty arrays when unknown.
   * @param {string} key
   * @param {string} metric
   * @returns {{ times: readonly number[], values: readonly (number | null)[] }}
   */
  series(key, metric) {
    const entry = this.entries.get(key);
    const values = entry?.series.get(metric);
    if (entry === undefined || values === undefined) return { times: [], values: [] };
    return { times: entry.times, values };
  }

  /**
   * Forgets every key not in `live`.
   * @param {ReadonlySet<string>} live
   */
  retain(live) {
    for (const key of this.entries.keys()) if (!live.has(key)) this.entries.delete(key);
  }
}

/**
 * Points of an SVG polyline drawing `values` into a width x height box (y up), gaps skipped.
 * Returns "" when fewer than two finite values exist. A flat series is drawn at mid-height.
 * @param {readonly (number | null)[]} values
 * @param {number} width
 * @param {number} height
 * @returns {string} e.g. "0,12 4,10.5 8,3"
 */
export function sparklinePoints(values, width, height) {
  /** @type {number[]} */
  const finite = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).map(Number);
  if (finite.length < 2) return '';
  const min = Math.min(...finite);
  const max = Math.max(...finite);
  const span = max - min;
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  /** @type {string[]} */
  const points = [];
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return;
    const y = span === 0 ? height / 2 : height - ((v - min) / span) * height;
    points.push(`${round2(i * step)},${round2(y)}`);
  });
  return points.join(' ');
}

/** @param {number} x */
function round2(x) {
  return Math.round(x * 100) / 100;
}
