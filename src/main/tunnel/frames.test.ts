import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader, type Frame, HEADER_BYTES, MAX_DATAGRAM } from './frames';

function readAll(chunks: Buffer[]): { frames: Frame[]; reader: FrameReader } {
  const frames: Frame[] = [];
  const reader = new FrameReader((frame) => frames.push(frame));
  for (const chunk of chunks) reader.push(chunk);
  return { frames, reader };
}

describe('UDP relay frames', () => {
  it('puts the peer and the length big-endian before the payload', () => {
    expect(encodeFrame(0x0102, Buffer.from('hi'))).toEqual(Buffer.from([0x01, 0x02, 0x00, 0x02, 0x68, 0x69]));
    expect(encodeFrame(7, Buffer.alloc(0))).toEqual(Buffer.from([0, 7, 0, 0]));
  });

  it('reads back frames split at every byte, and several in one chunk', () => {
    const sent = [
      { peer: 1, payload: Buffer.from('first') },
      { peer: 65_535, payload: Buffer.alloc(0) },
      { peer: 2, payload: Buffer.alloc(1500, 0xab) },
    ];
    const stream = Buffer.concat(sent.map((frame) => encodeFrame(frame.peer, frame.payload)));
    const byteByByte = readAll([...stream].map((byte) => Buffer.from([byte])));
    expect(byteByByte.frames).toEqual(sent);
    expect(byteByByte.reader.buffered).toBe(0);
    expect(readAll([stream]).frames).toEqual(sent);
  });

  it('holds a partial frame until the rest arrives', () => {
    const frame = encodeFrame(3, Buffer.from('hello'));
    const { frames, reader } = readAll([frame.subarray(0, HEADER_BYTES + 2)]);
    expect(frames).toEqual([]);
    expect(reader.buffered).toBe(HEADER_BYTES + 2);
    reader.push(frame.subarray(HEADER_BYTES + 2));
    expect(frames).toEqual([{ peer: 3, payload: Buffer.from('hello') }]);
  });

  it('carries the largest UDP datagram and refuses a larger one', () => {
    const big = Buffer.alloc(MAX_DATAGRAM, 1);
    expect(readAll([encodeFrame(9, big)]).frames[0]!.payload.length).toBe(MAX_DATAGRAM);
    expect(() => encodeFrame(9, Buffer.alloc(MAX_DATAGRAM + 1))).toThrow(RangeError);
  });
});
