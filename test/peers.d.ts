// The parts of peer libraries' untyped APIs the tests and benchmarks use.
declare module 'lz4js' {
  export function compress(data: Uint8Array | number[], maxSize?: number): Uint8Array | number[];
  export function decompress(data: Uint8Array | number[], maxSize?: number): Uint8Array | number[];
  export function compressBound(n: number): number;
  export function compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
}
