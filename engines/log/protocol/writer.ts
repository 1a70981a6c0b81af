/**
 * Response builder that avoids copying large payloads: small fields go into a scratch buffer,
 * while big byte blobs (record batches read from a segment) are kept as their own chunks. The
 * result is a list of buffers written to the socket with one corked burst.
 */

const TWO_32 = 4294967296;
/** Blobs at least this large are referenced, not copied. */
const ZERO_COPY_MIN = 1024;

export class Writer {
  private chunks: Buffer[] = [];
  private scratch: Buffer;
  private pos = 0;
  private flushedBytes = 0;

  constructor(initial = 256) {
    this.scratch = Buffer.allocUnsafe(initial);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.flushedBytes + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.scratch.length) return;
    this.flushScratch();
    this.scratch = Buffer.allocUnsafe(Math.max(n, this.scratch.length * 2, 256));
  }

  private flushScratch(): void {
    if (this.pos > 0) {
      this.chunks.push(this.scratch.subarray(0, this.pos));
      this.flushedBytes += this.pos;
      this.scratch = this.scratch.subarray(this.pos);
      this.pos = 0;
    }
  }

  int8(v: number): this {
    this.ensure(1);
    this.scratch.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.scratch.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.scratch.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.scratch.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: number): this {
    this.ensure(8);
    const hi = Math.floor(v / TWO_32);
    this.scratch.writeInt32BE(hi, this.pos);
    this.scratch.writeUInt32BE(v - hi * TWO_32, this.pos + 4);
    this.pos += 8;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.scratch.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  uuid(hex: string): this {
    const b = Buffer.from(hex.padStart(32, "0").slice(0, 32), "hex");
    return this.raw(b);
  }

  uvarint(v: number): this {
    this.ensure(5);
    let n = v;
    while (n >= 0x80) {
      this.scratch[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.scratch[this.pos++] = n;
    return this;
  }

  /** Appends bytes verbatim; large buffers are referenced rather than copied. */
  raw(b: Buffer): this {
    if (b.length >= ZERO_COPY_MIN) {
      this.flushScratch();
      this.chunks.push(b);
      this.flushedBytes += b.length;
      return this;
    }
    this.ensure(b.length);
    b.copy(this.scratch, this.pos);
    this.pos += b.length;
    return this;
  }

  string(s: string): this {
    const b = Buffer.from(s, "utf8");
    return this.int16(b.length).raw(b);
  }

  nstring(s: string | null): this {
    return s === null ? this.int16(-1) : this.string(s);
  }

  compactNString(s: string | null): this {
    if (s === null) return this.uvarint(0);
    const b = Buffer.from(s, "utf8");
    return this.uvarint(b.length + 1).raw(b);
  }

  nbytes(b: Buffer | null): this {
    return b === null ? this.int32(-1) : this.int32(b.length).raw(b);
  }

  compactNBytes(b: Buffer | null): this {
    return b === null ? this.uvarint(0) : this.uvarint(b.length + 1).raw(b);
  }

  /** Reserves an int32 to be filled in later (frame sizes); returns the patch function. */
  reserveInt32(): (v: number) => void {
    this.ensure(4);
    const buf = this.scratch;
    const at = this.pos;
    this.pos += 4;
    return (v) => {
      buf.writeInt32BE(v, at);
    };
  }

  /** The written bytes as chunks, in order. */
  chunksOut(): Buffer[] {
    this.flushScratch();
    return this.chunks;
  }

  /** The written bytes as one buffer (copies; for tests and small messages). */
  toBuffer(): Buffer {
    return Buffer.concat(this.chunksOut());
  }
}
