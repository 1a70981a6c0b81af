/**
 * Cursor over one received frame. Every read is bounds-checked and throws `ProtocolDecodeError`,
 * so a malformed or hostile frame can only ever fail its own decode, never read garbage or
 * allocate unbounded memory (array counts are checked against the bytes that remain).
 *
 * Primitive encodings (docs/protocol.html): big-endian fixed ints; STRING = int16 length + UTF-8;
 * BYTES = int32 length; compact forms use UNSIGNED_VARINT(length + 1) with 0 meaning null.
 */

export class ProtocolDecodeError extends Error {
  override name = "ProtocolDecodeError";
}

const TWO_32 = 4294967296;

export class Reader {
  pos: number;
  readonly buf: Buffer;
  readonly end: number;

  constructor(buf: Buffer, pos = 0, end = buf.length) {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new ProtocolDecodeError(`need ${n} bytes at ${this.pos}, frame ends at ${this.end}`);
    }
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** int64 as a JS number: offsets and timestamps stay far below 2^53. */
  int64(): number {
    this.need(8);
    const hi = this.buf.readInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    return hi * TWO_32 + lo;
  }

  float64(): number {
    this.need(8);
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  uuid(): string {
    this.need(16);
    const v = this.buf.toString("hex", this.pos, this.pos + 16);
    this.pos += 16;
    return v;
  }

  /** UNSIGNED_VARINT: base-128, little-endian groups, at most 5 bytes for 32 bits. */
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      this.need(1);
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
    throw new ProtocolDecodeError("unsigned varint longer than 5 bytes");
  }

  private text(len: number): string {
    this.need(len);
    const s = this.buf.toString("utf8", this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  private slice(len: number): Buffer {
    this.need(len);
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }

  string(): string {
    const len = this.int16();
    if (len < 0) throw new ProtocolDecodeError("null where a non-null STRING is required");
    return this.text(len);
  }

  nstring(): string | null {
    const len = this.int16();
    return len < 0 ? null : this.text(len);
  }

  compactString(): string {
    const s = this.compactNString();
    if (s === null) throw new ProtocolDecodeError("null where a non-null COMPACT_STRING is required");
    return s;
  }

  compactNString(): string | null {
    const n = this.uvarint();
    return n === 0 ? null : this.text(n - 1);
  }

  /** BYTES are returned as a view into the frame (no copy). */
  bytes(): Buffer {
    const len = this.int32();
    if (len < 0) throw new ProtocolDecodeError("null where non-null BYTES are required");
    return this.slice(len);
  }

  nbytes(): Buffer | null {
    const len = this.int32();
    return len < 0 ? null : this.slice(len);
  }

  compactBytes(): Buffer {
    const b = this.compactNBytes();
    if (b === null) throw new ProtocolDecodeError("null where non-null COMPACT_BYTES are required");
    return b;
  }

  compactNBytes(): Buffer | null {
    const n = this.uvarint();
    return n === 0 ? null : this.slice(n - 1);
  }

  /** Array element count; -1 is null. A count larger than the bytes left cannot be honest. */
  arrayLength(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n < -1) throw new ProtocolDecodeError(`negative array length ${n}`);
    if (n > this.remaining)
      throw new ProtocolDecodeError(`array length ${n} exceeds remaining ${this.remaining}`);
    return n;
  }

  /** Skips a tagged-field section (flexible versions); a minimal broker knows no tags. */
  skipTaggedFields(): void {
    const count = this.uvarint();
    for (let i = 0; i < count; i++) {
      this.uvarint();
      const size = this.uvarint();
      this.need(size);
      this.pos += size;
    }
  }
}
