// Byte codes of the shapes entropy coders meet (test/rans*.test.ts): skewed on one value with a context, geometric,
// uniform, two values, every byte value, one value.
import { random } from './data';

/** Codes on `mode` with probability `p`, else around it: spread by `near` right after it (the byte `distance` before,
 *  the one before in its stream or lane), by `far` elsewhere. */
export function clustered(size: number, seed: number, p = 0.6, mode = 128, near = 2, far = 30, distance = 4): Uint8Array {
  const next = random(seed);
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    const spread = i >= distance && out[i - distance] === mode ? near : far;
    out[i] = next() < p ? mode : (mode + Math.round((next() + next() + next() - 1.5) * spread)) & 255;
  }
  return out;
}

export const DISTRIBUTIONS: [string, (size: number, seed: number) => Uint8Array][] = [
  ['skewed on a mode, context-dependent', (size, seed) => clustered(size, seed)],
  ['very skewed (95% one byte)', (size, seed) => clustered(size, seed, 0.95, 7, 1, 3)],
  ['geometric', (size, seed) => { const next = random(seed); return Uint8Array.from({ length: size }, () => Math.min(255, Math.floor(-Math.log(1 - next()) * 1.5))); }],
  ['uniform', (size, seed) => { const next = random(seed); return Uint8Array.from({ length: size }, () => Math.floor(next() * 256)); }],
  ['two values', (size, seed) => { const next = random(seed); return Uint8Array.from({ length: size }, () => (next() < 0.8 ? 5 : 9)); }],
  // Every byte value, counts falling by half every 32 values: both tables' frequencies span 0–255, many of 2 bytes.
  ['largest table', (size, seed) => { const next = random(seed); return Uint8Array.from({ length: size }, () => Math.min(255, Math.floor(-Math.log(1 - next()) * 46))); }],
  ['one value', (size) => new Uint8Array(size).fill(42)],
];
