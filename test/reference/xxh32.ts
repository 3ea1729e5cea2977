// Reference xxHash32, written from Cyan4973/xxHash doc/xxhash_spec.md with plain numbers: slow and obvious.
const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

const mul = (a: number, b: number) => Math.imul(a, b) >>> 0;
const rotl = (x: number, r: number) => ((x << r) | (x >>> (32 - r))) >>> 0;
const u32 = (b: Uint8Array, i: number) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const round = (acc: number, lane: number) => mul(rotl((acc + mul(lane, P2)) >>> 0, 13), P1);

export function referenceXxh32(data: Uint8Array, seed = 0): number {
  let i = 0;
  let acc: number;
  if (data.length >= 16) {
    const lanes = [(seed + P1 + P2) >>> 0, (seed + P2) >>> 0, seed >>> 0, (seed - P1) >>> 0];
    for (; i + 16 <= data.length; i += 16) {
      for (let k = 0; k < 4; k++) lanes[k] = round(lanes[k], u32(data, i + 4 * k));
    }
    acc = (rotl(lanes[0], 1) + rotl(lanes[1], 7) + rotl(lanes[2], 12) + rotl(lanes[3], 18)) >>> 0;
  } else {
    acc = (seed + P5) >>> 0;
  }
  acc = (acc + data.length) >>> 0;
  for (; i + 4 <= data.length; i += 4) acc = mul(rotl((acc + mul(u32(data, i), P3)) >>> 0, 17), P4);
  for (; i < data.length; i++) acc = mul(rotl((acc + mul(data[i], P5)) >>> 0, 11), P1);
  acc = mul(acc ^ (acc >>> 15), P2);
  acc = mul(acc ^ (acc >>> 13), P3);
  return (acc ^ (acc >>> 16)) >>> 0;
}
