// The request planner of open(url): every wanted range lies in exactly one request; near ranges share one, far ones
// do not, unless the wanted bytes cover half the file; large spans are cut into pieces that download side by side.
import { describe, expect, it } from 'vitest';
import { planPieces, type Span } from '../src/io/range-plan';
import { random } from './helpers/data';

const MiB = 1 << 20;

function expectServed(wanted: Span[], pieces: Span[]) {
  for (const r of wanted.filter((w) => w.length > 0)) {
    expect(pieces.filter((p) => r.offset >= p.offset && r.offset + r.length <= p.offset + p.length).length, JSON.stringify(r)).toBeGreaterThanOrEqual(1);
  }
}

describe('planPieces', () => {
  it('joins ranges closer than 64 KiB, keeps farther ones apart when they are a small part of the file', () => {
    const size = 100 * MiB;
    const near = [{ offset: 1000, length: 5000 }, { offset: 6000 + 60_000, length: 100 }];
    expect(planPieces(near, size)).toEqual([{ offset: 1000, length: 6000 + 60_000 + 100 - 1000, ranges: 2 }]);
    const far = [{ offset: 1000, length: 5000 }, { offset: 6000 + 70_000, length: 100 }];
    expect(planPieces(far, size)).toHaveLength(2);
  });

  it('fetches the span from the first to the last wanted byte when they cover half of the file', () => {
    const half = MiB / 2;
    const wanted = Array.from({ length: 8 }, (_, i) => ({ offset: i * half, length: half / 2 + 1 })); // gaps of ~256 KiB
    expect(planPieces(wanted, 4 * MiB)).toEqual([{ offset: 0, length: 7 * half + half / 2 + 1, ranges: 8 }]);
    expect(planPieces(wanted, 5 * MiB)).toHaveLength(8); // under half of the file: each alone
  });

  it('cuts a large span into pieces of 8–16 MiB, between ranges; serves every range; skips empty ones', () => {
    const next = random(3);
    const wanted: Span[] = [];
    for (let at = 0; at < 200 * MiB;) {
      const length = Math.floor(next() * 2 * MiB);
      wanted.push({ offset: at, length });
      at += length + Math.floor(next() * 1000);
    }
    wanted.push({ offset: 5, length: 0 });
    const pieces = planPieces([...wanted].reverse(), 200 * MiB);
    expectServed(wanted, pieces);
    expect(pieces.reduce((n, p) => n + p.ranges, 0)).toBe(wanted.length - 1);
    expect(pieces.length).toBeGreaterThanOrEqual(200 / 18);
    expect(pieces.length).toBeLessThanOrEqual(200 / 14);
    for (const p of pieces.slice(0, -1)) expect(p.length).toBeLessThanOrEqual(18 * MiB);
  });

  it('overlapping and repeated ranges (a hostile index) are still each served', () => {
    const wanted = [{ offset: 100, length: 50 }, { offset: 120, length: 500 }, { offset: 100, length: 50 }, { offset: 0, length: 10 }];
    const pieces = planPieces(wanted, 1000);
    expectServed(wanted, pieces);
    expect(pieces).toHaveLength(1);
  });
});
