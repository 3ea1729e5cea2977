// The frequencies a rANS block's tables hold (read by the reference decoder) against the encoder's rule, applied here
// by a plain scan: each count scaled to 4096 and rounded to nearest (a present byte at least 1), then the sum
// corrected one step at a time on the byte whose count per frequency is largest (to grow) or smallest (to shrink,
// among frequencies above 1), the lower byte value on a tie. Long-tailed codes take many steps; both builds.
import { describe, expect, it } from 'vitest';
import { BUILDS } from './helpers/engines';
import { random } from './helpers/data';
import { readHeader } from './reference/rans';

const SCALE = 4096;
const MODE_RANS = 4;
const STREAMS = 4;

function referenceFrequencies(counts: number[]): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  const freqs = counts.map((c) => (c === 0 ? 0 : Math.max(1, Math.floor((c * SCALE + Math.floor(n / 2)) / n))));
  for (let sum = freqs.reduce((a, b) => a + b, 0); sum !== SCALE;) {
    const grow = sum < SCALE;
    let pick = -1;
    for (let v = 0; v < 256; v++) {
      if (freqs[v] === 0 || (!grow && freqs[v] === 1)) continue;
      const ratio = counts[v] * (pick < 0 ? 1 : freqs[pick]) - (pick < 0 ? 0 : counts[pick]) * freqs[v];
      if (pick < 0 || (grow ? ratio > 0 : ratio < 0)) pick = v;
    }
    freqs[pick] += grow ? 1 : -1;
    sum += grow ? 1 : -1;
  }
  return freqs;
}

/** Bytes with one value most of the time and a long tail of rarer ones (int8 codes of a peaked weight). */
function peaked(size: number, spread: number, seed: number): Uint8Array {
  const next = random(seed);
  return Uint8Array.from({ length: size }, () => Math.round(-spread * Math.log(1 - next()) * (next() < 0.5 ? -1 : 1)) & 255);
}

describe.each(BUILDS)('rANS tables (%s build)', (_, engine) => {
  it('hold the counts scaled to 4096 by the rounding and correction rule, over codes of many rare values', () => {
    let blocks = 0;
    for (const [size, spread] of [[2000, 0.4], [5000, 1], [5000, 0.3], [20_000, 0.7], [20_000, 0.25], [70_003, 2], [70_003, 0.35], [200_000, 0.5], [200_000, 6]]) {
      const data = peaked(size, spread, size + spread);
      const block = engine.pipeline.encodeChunk(data, [{ codec: 'rans', planes: 1 }]);
      if (block[0] !== MODE_RANS) continue;
      blocks++;
      const { tableCount, m, tables } = readHeader(block);
      // Table 1 (with two): the bytes 4 after an m; table 0 the others.
      const counts = [new Array<number>(256).fill(0), new Array<number>(256).fill(0)];
      data.forEach((b, p) => { counts[tableCount === 2 && p >= STREAMS && data[p - STREAMS] === m ? 1 : 0][b]++; });
      tables.forEach((freqs, t) => expect(freqs, `${size} bytes, spread ${spread}, table ${t}`).toEqual(referenceFrequencies(counts[t])));
    }
    expect(blocks, 'rANS blocks among the samples').toBeGreaterThanOrEqual(4);
  });

  it('break ties between equal counts per frequency by the lower byte value', () => {
    // 0 in 96% of the bytes, 40 values 3 times each: each rounds to 4, and two of those 40 step down to 3.
    for (const tail of [40, 41, 57]) {
      const data = new Uint8Array(3000 + 3 * tail);
      for (let v = 1; v <= tail; v++) for (let k = 0; k < 3; k++) data[(v * 997 + k * 1009) % data.length] = v;
      const counts = new Array<number>(256).fill(0);
      data.forEach((b) => counts[b]++);
      const block = engine.pipeline.encodeChunk(data, [{ codec: 'rans', planes: 1 }]);
      expect(block[0], `${tail} values`).toBe(MODE_RANS);
      const { tableCount, tables } = readHeader(block);
      expect(tableCount, `${tail} values`).toBe(1);
      expect(tables[0], `${tail} values`).toEqual(referenceFrequencies(counts));
    }
  });
});
