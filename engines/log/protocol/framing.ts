/**
 * Splits a TCP byte stream into size-prefixed frames (`size INT32` + payload). Partial frames are
 * buffered; a negative or oversized length is a protocol violation reported once, after which the
 * connection must be closed (the stream can no longer be trusted to be aligned).
 */

export class FrameTooLargeError extends Error {
  override name = "FrameTooLargeError";
}

export class FrameSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes needed to finish the frame at the head of `pending` (0 = unknown yet). */
  private needed = 0;
  private readonly maxFrameBytes: number;

  constructor(maxFrameBytes: number) {
    this.maxFrameBytes = maxFrameBytes;
  }

  /** Feeds received bytes; returns the complete frame payloads in order. Throws on a bad size. */
  push(data: Buffer): Buffer[] {
    let buf: Buffer;
    if (this.needed > 0 && this.pendingBytes + data.length < this.needed) {
      // Still inside one large frame: collect without copying until it is complete.
      this.pending.push(data);
      this.pendingBytes += data.length;
      return [];
    }
    if (this.pendingBytes === 0) {
      buf = data;
    } else {
      this.pending.push(data);
      buf = Buffer.concat(this.pending, this.pendingBytes + data.length);
      this.pending = [];
      this.pendingBytes = 0;
    }
    const frames: Buffer[] = [];
    let pos = 0;
    while (buf.length - pos >= 4) {
      const size = buf.readInt32BE(pos);
      if (size < 0 || size > this.maxFrameBytes) {
        throw new FrameTooLargeError(`frame size ${size} outside 0..${this.maxFrameBytes}`);
      }
      if (buf.length - pos - 4 < size) break;
      frames.push(buf.subarray(pos + 4, pos + 4 + size));
      pos += 4 + size;
    }
    this.needed = 0;
    if (pos < buf.length) {
      const rest = buf.subarray(pos);
      this.pending.push(rest);
      this.pendingBytes = rest.length;
      if (rest.length >= 4) this.needed = 4 + rest.readInt32BE(0);
    }
    return frames;
  }
}

/**
 * The same splitting for bytes that arrive in a buffer the caller reuses (a socket's `onread`
 * buffer): every frame is copied once into a buffer of exactly its size, allocated as soon as its
 * length is known, so the reader allocates nothing per read — a big frame costs one allocation, not
 * one per 64 KiB read plus a concatenation. The frames it returns are the caller's to keep.
 */
export class FrameAssembler {
  private readonly head = Buffer.alloc(4);
  private headBytes = 0;
  private frame: Buffer | null = null;
  private filled = 0;

  constructor(private readonly maxFrameBytes: number) {}

  /** Feeds bytes (valid only during this call); returns the completed frame payloads in order. */
  push(data: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let pos = 0;
    while (pos < data.length) {
      if (this.frame === null) {
        const n = Math.min(4 - this.headBytes, data.length - pos);
        data.copy(this.head, this.headBytes, pos, pos + n);
        this.headBytes += n;
        pos += n;
        if (this.headBytes < 4) break;
        const size = this.head.readInt32BE(0);
        if (size < 0 || size > this.maxFrameBytes) {
          throw new FrameTooLargeError(`frame size ${size} outside 0..${this.maxFrameBytes}`);
        }
        this.headBytes = 0;
        this.frame = Buffer.allocUnsafe(size);
        this.filled = 0;
      }
      const n = Math.min(this.frame.length - this.filled, data.length - pos);
      data.copy(this.frame, this.filled, pos, pos + n);
      this.filled += n;
      pos += n;
      if (this.filled === this.frame.length) {
        frames.push(this.frame);
        this.frame = null;
      }
    }
    return frames;
  }
}
