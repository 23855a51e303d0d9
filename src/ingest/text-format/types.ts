// Vocabulary of the exposition parser: formats, metric families, samples, typed errors and limits.

/** `text` = Prometheus text format 0.0.4; `openmetrics` = OpenMetrics 1.0 text. */
export type ExpositionFormat = 'text' | 'openmetrics';

/**
 * Family types. The 0.0.4 `untyped` is reported as `unknown`, its OpenMetrics name (the Python
 * client does the same), so consumers handle one vocabulary.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown';

export interface ExpositionSample {
  /** Sample name as written, e.g. `http_request_duration_seconds_bucket`. */
  readonly name: string;
  /** Label set; a null-prototype object, so `__proto__` is just a label name. */
  readonly labels: Readonly<Record<string, string>>;
  /** The value; may be NaN or ±Infinity (the format allows them). */
  readonly value: number;
  /** Timestamp in ms since the epoch (OpenMetrics seconds are rounded to ms), or undefined. */
  readonly timestampMs: number | undefined;
}

export interface MetricFamily {
  /** Family name: the TYPE/HELP name, or the sample name for an implicit `unknown` family. */
  readonly name: string;
  readonly type: MetricType;
  /** Unescaped HELP text; '' when absent. */
  readonly help: string;
  /** OpenMetrics UNIT; '' when absent. */
  readonly unit: string;
  readonly samples: readonly ExpositionSample[];
}

export type ParseErrorKind =
  | 'syntax'
  | 'invalid_value'
  | 'invalid_timestamp'
  | 'duplicate_label'
  | 'invalid_metadata'
  | 'line_too_long'
  | 'page_too_large'
  | 'too_many_samples'
  | 'too_many_labels'
  | 'label_name_too_long'
  | 'label_value_too_long'
  | 'missing_eof'
  | 'content_after_eof';

/** Why a page was rejected. The parser stops at the first error, as Prometheus' scraper does. */
export interface ParseError {
  readonly kind: ParseErrorKind;
  /** 1-based line number where the problem was found (0 when it concerns the whole page). */
  readonly line: number;
  /** Human-readable explanation; never contains more than 64 characters of the input. */
  readonly message: string;
}

export type ParseResult =
  | { readonly ok: true; readonly families: readonly MetricFamily[]; readonly sampleCount: number }
  | { readonly ok: false; readonly error: ParseError };

/**
 * Bounds that keep parsing linear and memory bounded whatever the input. Lengths are in UTF-16
 * code units (equal to bytes for ASCII pages). Names follow Prometheus' scrape_config limits.
 */
export interface ParseLimits {
  /** Longest accepted line, excluding the newline. */
  readonly maxLineLength: number;
  /** Largest accepted page. */
  readonly maxPageLength: number;
  /** Most samples per page (Prometheus `sample_limit`). */
  readonly sampleLimit: number;
  /** Most labels per sample (Prometheus `label_limit`). */
  readonly labelLimit: number;
  /** Longest label name (Prometheus `label_name_length_limit`). */
  readonly labelNameLengthLimit: number;
  /** Longest unescaped label value (Prometheus `label_value_length_limit`). */
  readonly labelValueLengthLimit: number;
}

/**
 * Defaults sized for real pages: node_exporter on a large host is ~5 MB and ~20k samples;
 * kube-state-metrics can reach 50 MB. Callers scraping untrusted targets should lower them.
 */
export const DEFAULT_PARSE_LIMITS: ParseLimits = Object.freeze({
  maxLineLength: 64 * 1024,
  maxPageLength: 64 * 1024 * 1024,
  sampleLimit: 2_000_000,
  labelLimit: 64,
  labelNameLengthLimit: 256,
  labelValueLengthLimit: 16 * 1024,
});
