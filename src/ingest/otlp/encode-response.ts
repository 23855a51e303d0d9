// Encodes OTLP/HTTP responses: ExportMetricsServiceResponse (partial success) and google.rpc.Status.

function varint(value: number, out: number[]): void {
  let v = Math.max(0, Math.floor(value));
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
}

function lengthDelimited(field: number, bytes: Uint8Array | readonly number[], out: number[]): void {
  varint(field * 8 + 2, out);
  varint(bytes.length, out);
  for (const b of bytes) out.push(b);
}

/** A response for an export where `rejected` points were dropped (0 = full success, empty body). */
export interface ExportOutcome {
  readonly rejected: number;
  readonly message: string;
}

/**
 * ExportMetricsServiceResponse { partial_success = 1 { rejected_data_points = 1 (int64),
 * error_message = 2 } }. Full success is the empty message, as the OTLP spec asks.
 */
export function encodeExportResponse(outcome: ExportOutcome): Uint8Array {
  if (outcome.rejected === 0 && outcome.message === '') return new Uint8Array(0);
  const partial: number[] = [];
  if (outcome.rejected > 0) {
    varint(1 * 8 + 0, partial);
    varint(outcome.rejected, partial);
  }
  if (outcome.message !== '') lengthDelimited(2, new TextEncoder().encode(outcome.message), partial);
  const out: number[] = [];
  lengthDelimited(1, partial, out);
  return Uint8Array.from(out);
}

/** The same response in OTLP/JSON (int64 as a decimal string). */
export function exportResponseJson(outcome: ExportOutcome): Record<string, unknown> {
  if (outcome.rejected === 0 && outcome.message === '') return {};
  return { partialSuccess: { rejectedDataPoints: String(outcome.rejected), errorMessage: outcome.message } };
}

/** google.rpc.Status { code = 1 (int32), message = 2 } for a rejected request; 3 = INVALID_ARGUMENT. */
export function encodeStatus(code: number, message: string): Uint8Array {
  const out: number[] = [];
  varint(1 * 8 + 0, out);
  varint(code, out);
  lengthDelimited(2, new TextEncoder().encode(message), out);
  return Uint8Array.from(out);
}
