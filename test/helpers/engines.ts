// Both builds side by side, so every suite runs against each and can compare their bytes.
import { createEngine, type Engine } from '../../src/index';

export const simdEngine = await createEngine({ simd: true });
export const scalarEngine = await createEngine({ simd: false });

/** For describe.each: [name, engine]. */
export const BUILDS: [string, Engine][] = [
  ['simd', simdEngine],
  ['scalar', scalarEngine],
];

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function hexBytes(text: string): Uint8Array {
  return Uint8Array.from(text.trim().split(/\s+/).map((h) => parseInt(h, 16)));
}
