// Which HTTP requests fetch a set of wanted byte ranges: few requests, few wasted bytes, a few of them in flight.
// - Ranges closer than MAX_GAP share a request: 64 KiB takes ~6 ms at 10 MB/s, less than one request's round trip
//   on the internet (20–100 ms) and about what a request costs on localhost.
// - When the wanted bytes cover at least half of the file, one span from the first wanted byte to the last is
//   fetched: at most as many extra bytes as wanted ones (2x the bytes at worst), the fewest requests possible.
// - A span is cut (between ranges, so each range stays in one request) into pieces of about 1/CONCURRENCY of the
//   total, 8–16 MiB: the pieces of a large file download side by side (each is decoded as its bytes arrive, in
//   order). Below 8 MiB a request costs more than the overlap saves (face-api's 4.8 MB face_recognition
//   model on localhost: 4 pieces of 1.2 MB took 1.3–1.5x the time of one request for the whole file; one piece, 1.0x).
export interface Span {
  offset: number;
  length: number;
}

/** A request: its span, and how many wanted ranges it serves. */
export interface Piece extends Span {
  ranges: number;
}

export const CONCURRENCY = 4;
const MAX_GAP = 64 << 10;
const WHOLE_FILE_FRACTION = 0.5;
const MIN_PIECE = 8 << 20;
const MAX_PIECE = 16 << 20;

export function planPieces(wanted: readonly Span[], fileSize: number): Piece[] {
  const ranges = wanted.filter((r) => r.length > 0).sort((a, b) => a.offset - b.offset);
  let covered = 0;
  let end = 0;
  for (const r of ranges) {
    covered += Math.max(0, r.offset + r.length - Math.max(r.offset, end));
    end = Math.max(end, r.offset + r.length);
  }
  const maxGap = covered >= WHOLE_FILE_FRACTION * fileSize ? Infinity : MAX_GAP;
  const pieceBytes = Math.min(MAX_PIECE, Math.max(MIN_PIECE, Math.ceil(covered / CONCURRENCY)));
  const pieces: Piece[] = [];
  let current: Piece | undefined;
  for (const r of ranges) {
    const rangeEnd = r.offset + r.length;
    const currentEnd = current ? current.offset + current.length : 0;
    if (current && r.offset - currentEnd <= maxGap && (current.length < pieceBytes || rangeEnd <= currentEnd)) {
      current.length = Math.max(currentEnd, rangeEnd) - current.offset;
      current.ranges++;
    } else {
      current = { offset: r.offset, length: r.length, ranges: 1 };
      pieces.push(current);
    }
  }
  return pieces;
}
