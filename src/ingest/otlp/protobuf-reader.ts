// Protocol Buffers wire-format reader (varint, 64-bit, length-delimited, 32-bit), bounds-checked.

/** Wire types of the protobuf encoding (https://protobuf.dev/programming-guides/encoding/). */
export const WIRE = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const;

/** Thrown on malformed input; decoders catch it at their boundary and return a typed error. */
export class ProtoError extends Error {
  override readonly name = 'ProtoError';
}

const TWO_32 = 4294967296;
const textDecoder = new TextDecoder('utf-8', { fatal: false });

/**
 * Reads one message region `[start, end)` of a buffer. Every read checks the region's end, so
 * a truncated or lying length prefix raises ProtoError instead of reading past it. Nested
 * messages get their own reader over the sub-region (`message()`), which bounds them too.
 */
export class ProtoReader {
  private pos: number;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** The next field's number and wire type, or undefined at the end of the region. */
  next(): { field: number; wire: number } | undefined {
    if (this.pos >= this.end) return undefined;
    const key = this.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0) throw new ProtoError('field number 0');
    return { field, wire };
  }

  /**
   * An unsigned varint as a JS number. Values above 2^53 lose precision, which is acceptable for
   * the counts and enums read this way (uint64 counts beyond 2^53 do not occur in practice).
   */
  varint(): number {
    let result = 0;
    let multiplier = 1;
    for (let i = 0; i < 10; i += 1) {
      if (this.pos >= this.end) throw new ProtoError('truncated varint');
      const byte = this.buf[this.pos] ?? 0;
      this.pos += 1;
      result += (byte & 0x7f) * multiplier;
      if (byte < 0x80) return result;
      multiplier *= 128;
    }
    throw new ProtoError('varint longer than 10 bytes');
  }

  /** A varint read as a signed 64-bit two's complement integer (int64/int32 fields). */
  int64(): number {
    const value = this.varint();
    return value >= 2 ** 63 ? value - 2 ** 64 : value;
  }

  /** fixed64 / uint64 in 8 bytes, as a number (exact below 2^53). */
  fixed64(): number {
    this.need(8);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  /** fixed64 as an exact bigint (nanosecond timestamps exceed 2^53). */
  fixed64Big(): bigint {
    this.need(8);
    const value = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** sfixed64 as a number. */
  sfixed64(): number {
    this.need(8);
    const value = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return Number(value);
  }

  double(): number {
    this.need(8);
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  /** The bytes of a length-delimited field (a view, not a copy). */
  bytes(): Uint8Array {
    const length = this.varint();
    this.need(length);
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  string(): string {
    return textDecoder.decode(this.bytes());
  }

  /** A reader over an embedded message. */
  message(): ProtoReader {
    const length = this.varint();
    this.need(length);
    const reader = new ProtoReader(this.buf, this.pos, this.pos + length);
    this.pos += length;
    return reader;
  }

  /** Values of a repeated scalar field, packed (LEN) or not (one value per occurrence). */
  packed(wire: number, readOne: (r: ProtoReader) => number, out: number[]): void {
    if (wire !== WIRE.LEN) {
      out.push(readOne(this));
      return;
    }
    const inner = this.message();
    while (!inner.atEnd()) out.push(readOne(inner));
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** Skips a field of the given wire type (unknown fields are ignored, as protobuf requires). */
  skip(wire: number): void {
    switch (wire) {
      case WIRE.VARINT:
        this.varint();
        return;
      case WIRE.I64:
        this.need(8);
        this.pos += 8;
        return;
      case WIRE.LEN:
        this.bytes();
        return;
      case WIRE.I32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        // Groups (3, 4) are deprecated and absent from OTLP; anything else is corruption.
        throw new ProtoError(`unsupported wire type ${wire}`);
    }
  }

  /** Throws unless a field was sent with the expected wire type. */
  expect(wire: number, expected: number, what: string): void {
    if (wire !== expected) throw new ProtoError(`${what}: wire type ${wire}, expected ${expected}`);
  }

  private need(bytes: number): void {
    if (bytes < 0 || this.pos + bytes > this.end) throw new ProtoError('truncated field');
  }
}
