// Families rendered from immutable snapshots (analysis-families.ts, system-families.ts) as a stream of
// bounded chunks: at 5,000 agents they are ~6 MB of text, ~80 ms of string building, so the /metrics
// route writes them a chunk at a time and lets the event loop turn between slices of them (a health
// probe or a push never waits behind the whole page).
import type { MetricSpec } from '../model/metric-catalogue.js';
import { familyHeader, labelPairs } from './text-writer.js';

export type Labels = readonly (readonly [string, string])[];

/**
 * Characters gathered before a chunk is handed on. Small chunks leave the JS heap (as socket
 * buffers) while still young, so the garbage collector never copies a megabyte-sized half-built page
 * from one young generation to the next; and one chunk is well under a millisecond of work.
 */
export const CHUNK_CHARS = 64 * 1024;

/** One sample line, or '' when the value is not finite: such scores are left out, never exposed as NaN or ±Inf. */
export function sampleLine(name: string, labels: Labels, value: number): string {
  if (!Number.isFinite(value)) return '';
  return `${name}{${labelPairs(labels)}} ${value}\n`;
}

/**
 * One family over every snapshot, in chunks of about CHUNK_CHARS: the HELP/TYPE header before the
 * first line, nothing at all when no snapshot has a line. `lines` is lazy, so a family of 150,000
 * lines is built a chunk at a time too.
 */
export function* familyChunks<S>(spec: MetricSpec, snapshots: readonly S[], lines: (s: S) => Iterable<string>): Generator<string> {
  let body = '';
  let started = false;
  for (const s of snapshots) {
    for (const text of lines(s)) {
      body += text;
      if (body.length < CHUNK_CHARS) continue;
      yield started ? body : familyHeader(spec) + body;
      started = true;
      body = '';
    }
  }
  if (body !== '') yield started ? body : familyHeader(spec) + body;
}
