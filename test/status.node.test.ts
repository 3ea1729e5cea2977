// The kernels' status table (assembly/status.ts) and the facade's (src/errors.ts) must stay the same.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { KERNEL_STATUS } from '../src/errors';

it('assembly/status.ts and KERNEL_STATUS agree', () => {
  const source = readFileSync('assembly/status.ts', 'utf8');
  const kernel = Object.fromEntries([...source.matchAll(/export const STATUS_(\w+): i32 = (-?\d+);/g)].map((m) => [m[1], Number(m[2])]));
  expect(kernel).toEqual(KERNEL_STATUS);
});
