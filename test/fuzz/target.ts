// What a fuzz target is, and the checks every oracle shares: a call either returns values that pass the target's
// reference check, or throws a TensorzipError with an allowed code. Anything else throws a FuzzFailure whose
// `signature` (stable across inputs that hit the same bug) is how the campaign deduplicates its findings.
import type { Engine, TensorzipErrorCode } from '../../src/index';
import { wasmMemoryBytes } from './engines';

export interface Engines {
  simd: Engine;
  scalar: Engine;
}

export interface FuzzTarget {
  /** Folder name under test/fuzz/corpus/. */
  name: string;
  /** Generated seed inputs (real files are in the corpus folder already). */
  seeds(engines: Engines): Promise<Uint8Array[]>;
  /** Runs one input through the decoder and its oracle; throws FuzzFailure on a bug. Returns the outcome: 'OK',
   *  'SKIP' (the bytes do not describe a case), or the error code and message shape (for novelty). */
  run(engines: Engines, bytes: Uint8Array): Promise<string>;
  /** Structure-aware mutation: where the JSON text of an input is, and how to put edited text back. */
  json?(bytes: Uint8Array): JsonSpan | undefined;
  /** Fixes what a mutation broke on purpose-less grounds (e.g. the .tzip prefix and index checksums). */
  repair?(bytes: Uint8Array): Uint8Array;
}

export interface JsonSpan {
  text: string;
  rebuild(text: string): Uint8Array;
}

export class FuzzFailure extends Error {
  override readonly name = 'FuzzFailure';
  constructor(readonly signature: string, detail = '') {
    super(detail === '' ? signature : `${signature} — ${detail}`);
  }
}

const DATA_CODES: TensorzipErrorCode[] = ['TRUNCATED', 'CORRUPT', 'CHECKSUM', 'LIMIT', 'UNSUPPORTED'];
/** Codes a decoder may give for damaged bytes: never ARGUMENT, which is for the caller's parameters. */
export const DAMAGED_DATA = DATA_CODES;
/** Codes for a call whose hostile object is the caller's parameter itself. */
export const ANY_CODE: TensorzipErrorCode[] = [...DATA_CODES, 'ARGUMENT'];

/** Numbers and quoted text out, so messages about the same bug with different values look alike. */
export const shapeOf = (message: string) => message.replace(/"[^"]*"/g, '"…"').replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/gi, 'N').slice(0, 120);
/** The first words of a message's shape: the part that names the check, before the values it found. */
const stemOf = (message: string) => shapeOf(message).split(' ').slice(0, 3).join(' ');

const MAX_MESSAGE = 2000;

/** The outcome of a thrown value: its code and message shape, or a FuzzFailure for anything not allowed. */
export function judgeError(err: unknown, allowed: readonly TensorzipErrorCode[], where: string): string {
  if (err instanceof FuzzFailure) throw err;
  const e = err as { name?: unknown; code?: unknown; message?: unknown };
  if (e?.name !== 'TensorzipError') {
    throw new FuzzFailure(`${where}: untyped ${String(e?.name ?? typeof err)}: ${stemOf(String(e?.message ?? err))}`, String(e?.message ?? err).slice(0, 300));
  }
  const code = e.code as TensorzipErrorCode;
  const message = String(e.message);
  if (!allowed.includes(code)) throw new FuzzFailure(`${where}: ${code} not allowed: ${stemOf(message)}`, message.slice(0, 300));
  if (message.length > MAX_MESSAGE) {
    throw new FuzzFailure(`${where}: ${code} message over ${MAX_MESSAGE} chars (a bad value quoted whole)`, `${message.length} chars: ${message.slice(0, 200)}`);
  }
  return `${code}: ${shapeOf(message)}`;
}

export type Result<T> = { ok: true; value: T } | { ok: false; outcome: string };

/** Runs `call`, judging a throw; checks that memory grew by at most 16 MB + `multiple` × the input's bytes. */
export async function attempt<T>(call: () => T | Promise<T>, allowed: readonly TensorzipErrorCode[], where: string, inputBytes: number, multiple: number): Promise<Result<T>> {
  const before = memoryInUse();
  let result: Result<T>;
  try {
    result = { ok: true, value: await call() };
  } catch (err) {
    result = { ok: false, outcome: judgeError(err, allowed, where) };
  }
  const grown = memoryInUse() - before;
  const budget = 16 * 2 ** 20 + multiple * inputBytes;
  if (grown > budget) {
    const outcome = result.ok ? 'OK' : result.outcome.split(':')[0];
    throw new FuzzFailure(`${where}: memory grew past 16 MB + ${multiple}x the input (${outcome})`, `${grown} bytes for ${inputBytes} bytes of input`);
  }
  return result;
}

/** ArrayBuffers outside the V8 heap plus every engine's WebAssembly memory. */
function memoryInUse(): number {
  const arrayBuffers = typeof process === 'object' ? process.memoryUsage().arrayBuffers : 0;
  return arrayBuffers + wasmMemoryBytes();
}

/** Two runs must agree (the SIMD and the scalar build; bytes at an odd offset and at 0): the same values, or errors
 *  of the same code. */
export function sameOutcome<T>(a: Result<T>, b: Result<T>, where: string, names = ['SIMD', 'scalar']): void {
  if (a.ok !== b.ok || (!a.ok && !b.ok && a.outcome.split(':')[0] !== b.outcome.split(':')[0])) {
    throw new FuzzFailure(`${where}: ${names[0]} ${a.ok ? 'OK' : a.outcome.split(':')[0]} but ${names[1]} ${b.ok ? 'OK' : b.outcome.split(':')[0]}`);
  }
  if (a.ok && b.ok) expectSame(a.value, b.value, `${where}: ${names[0]} and ${names[1]} values differ`);
}

/** A copy of `bytes` at byte offset 7 of a larger buffer whose other bytes are 0xA5: a reader that ignores
 *  byteOffset (Node Buffers are such views) or reads past byteLength gets different values. */
export function offsetView(bytes: Uint8Array): Uint8Array {
  const buffer = new Uint8Array(bytes.length + 16).fill(0xa5);
  buffer.set(bytes, 7);
  return buffer.subarray(7, 7 + bytes.length);
}

/** Deep equality where typed arrays compare as bytes (NaN payloads included), with a FuzzFailure on a difference. */
export function expectSame(a: unknown, b: unknown, signature: string): void {
  const difference = differ(a, b, '');
  if (difference !== undefined) throw new FuzzFailure(signature, difference);
}

function differ(a: unknown, b: unknown, path: string): string | undefined {
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b)) return `${path}: a typed array and a ${typeof b}`;
    if (a.constructor !== b.constructor) return `${path}: ${a.constructor.name} vs ${b.constructor.name}`;
    if (a instanceof Float32Array || a instanceof Float64Array) return differFloats(a, b as typeof a, path);
    const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    if (x.length !== y.length) return `${path}: ${x.length} vs ${y.length} bytes`;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `${path}: byte ${i}: ${x[i]} vs ${y[i]}`;
    return undefined;
  }
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
    return Object.is(a, b) ? undefined : `${path}: ${String(a)} vs ${String(b)}`;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: array vs object`;
  // Arrays compare in order; objects by their keys (a writer may lay tensors out in another order than it read them).
  const keys = Array.isArray(a) ? Object.keys(a) : Object.keys(a).sort();
  const other = Array.isArray(b) ? Object.keys(b) : Object.keys(b).sort();
  if (keys.length !== other.length || keys.some((k, i) => k !== other[i])) return `${path}: keys [${keys.join(',')}] vs [${other.join(',')}]`;
  for (const k of keys) {
    const d = differ((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d !== undefined) return d;
  }
  return undefined;
}

/** Floats compare by value, every NaN equal to every NaN (their payloads may differ between builds). */
function differFloats(a: Float32Array | Float64Array, b: Float32Array | Float64Array, path: string): string | undefined {
  if (a.length !== b.length) return `${path}: ${a.length} vs ${b.length} elements`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i]) && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) return `${path}[${i}]: ${a[i]} vs ${b[i]}`;
  return undefined;
}

/** A tensor's element count must match its shape. */
export function expectConsistent(name: string, t: { shape: readonly number[]; data: { length: number } }, where: string): void {
  const count = t.shape.reduce((n, d) => n * d, 1);
  if (t.data.length !== count) throw new FuzzFailure(`${where}: data length differs from the shape`, `"${name}": ${t.data.length} elements for [${t.shape.join(', ')}]`);
}
