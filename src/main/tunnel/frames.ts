/**
 * The UDP relay's wire format on its SSH channel: each datagram is one frame, a 4-byte header
 * (2-byte big-endian peer number, 2-byte big-endian payload length) and the payload. The peer number
 * lets one channel per published port carry every host peer (sshd allows a connection few sessions).
 */
export const HEADER_BYTES = 4;
/** The largest UDP payload over IPv4. */
export const MAX_DATAGRAM = 65_507;

export interface Frame {
  peer: number;
  payload: Buffer;
}

export function encodeFrame(peer: number, payload: Buffer): Buffer {
  if (payload.length > MAX_DATAGRAM) throw new RangeError(`a datagram of ${payload.length} bytes is larger than UDP allows`);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(peer, 0);
  header.writeUInt16BE(payload.length, 2);
  return Buffer.concat([header, payload]);
}

/** Cuts a byte stream back into frames; a frame may arrive split over any number of chunks. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (frame: Frame) => void) {}

  push(chunk: Buffer): void {
    let buffer = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (buffer.length >= HEADER_BYTES) {
      const length = buffer.readUInt16BE(2);
      if (buffer.length < HEADER_BYTES + length) break;
      // A copy: the payload outlives the chunk it came in, which Node may reuse.
      this.onFrame({ peer: buffer.readUInt16BE(0), payload: Buffer.from(buffer.subarray(HEADER_BYTES, HEADER_BYTES + length)) });
      buffer = buffer.subarray(HEADER_BYTES + length);
    }
    this.pending = Buffer.from(buffer);
  }

  /** Bytes held back until the rest of their frame arrives. */
  get buffered(): number {
    return this.pending.length;
  }
}
