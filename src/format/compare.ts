// compare(): what a .tzip file did to a model's tensors — each tensor decoded and measured against the original in
// float64, one tensor in memory at a time. Names on one side only, and shapes that differ, are listed, never dropped.
import { TensorzipError } from '../errors';
import { checkShape, product } from '../codecs/shape';
import { describeValue } from '../codecs/describe-value';
import { decodeBfloat16, decodeFloat16 } from '../codecs/quant/float16';
import { decodeFp8E4M3, decodeFp8E5M2 } from '../codecs/quant/fp8';
import type { StoredQuantDtype } from '../codecs/quant';
import type { Kernels } from '../wasm/kernels';
import { checkTensorData, isTensorDtype, type TensorArray, type TensorDtype } from './dtypes';
import type { Archive } from './archive';
import type { TensorInput } from './encode-tensor';

export interface CompareOptions {
  /** Called after each tensor with the tensors compared so far and their number. */
  onProgress?: (done: number, total: number) => void;
}

export interface TensorComparison {
  name: string;
  /** The original's dtype and shape. */
  dtype: TensorDtype;
  shape: number[];
  /** How the archive stores it (TensorInfo.storedDtype). */
  storedDtype: TensorDtype | StoredQuantDtype;
  encodedBytes: number;
  /** encodedBytes · 8 / elements (0 for an empty tensor). */
  bitsPerWeight: number;
  /** max |x − x̂| (identical values, NaN and ±Inf included, count as no error). */
  maxAbsError: number;
  /** sqrt(mean((x − x̂)²)). */
  rmse: number;
  /** 10·log10(Σx² / Σ(x − x̂)²) over finite x: Infinity when exact, -Infinity for an all-zero original with an
   *  error. */
  sqnrDb: number;
}

export interface CompareTotal {
  tensors: number;
  elements: number;
  encodedBytes: number;
  bitsPerWeight: number;
  maxAbsError: number;
  /** The lowest tensor SQNR (Infinity when every tensor is exact). */
  minSqnrDb: number;
  /** Over all elements of all compared tensors together. */
  sqnrDb: number;
}

export interface Comparison {
  tensors: TensorComparison[];
  /** Names in the original the archive lacks, and in the archive the original lacks. */
  onlyInOriginal: string[];
  onlyInArchive: string[];
  /** Tensors on both sides whose shapes differ: not compared. */
  shapeMismatches: { name: string; originalShape: number[]; archiveShape: number[] }[];
  total: CompareTotal;
}

/** The element values as numbers (or bigints): 16- and 8-bit float codes decoded to float32. */
function valuesOf(kernels: Kernels, dtype: TensorDtype, data: TensorArray): ArrayLike<number | bigint> {
  switch (dtype) {
    case 'float16': return decodeFloat16(kernels, data as Uint16Array);
    case 'bfloat16': return decodeBfloat16(kernels, data as Uint16Array);
    case 'float8e4m3fn': return decodeFp8E4M3(kernels, data as Uint8Array);
    case 'float8e5m2': return decodeFp8E5M2(kernels, data as Uint8Array);
    default: return data;
  }
}

function checkOriginal(original: unknown): [string, TensorInput][] {
  if (original === null || typeof original !== 'object') throw new TensorzipError('ARGUMENT', `compare original: expected an object of tensors by name, found ${describeValue(original)}`);
  return Object.entries(original).map(([name, t]) => {
    const what = `compare original ${describeValue(name)}`;
    if (t === null || typeof t !== 'object' || !isTensorDtype(t.dtype)) {
      throw new TensorzipError('ARGUMENT', `${what}: expected { dtype, shape, data } with a tensor dtype (values, not { quantized } codes), found ${describeValue(t?.dtype ?? t)}`);
    }
    const shape = checkShape(t.shape, `${what} shape`);
    checkTensorData(t.data, t.dtype, product(shape), what);
    return [name, { dtype: t.dtype, shape, data: t.data }];
  });
}

/** One tensor's sums, which the totals pool. */
interface Sums { signal: number; noise: number; maxAbsError: number }

function measure(x: ArrayLike<number | bigint>, y: ArrayLike<number | bigint>): Sums {
  let signal = 0;
  let noise = 0;
  let maxAbsError = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Number(x[i]);
    const b = Number(y[i]);
    if (Number.isFinite(a)) signal += a * a;
    if (a === b || (a !== a && b !== b)) continue; // equal, ±Inf and NaN included: no error
    const d = a - b;
    noise += d * d;
    if (!(Math.abs(d) <= maxAbsError)) maxAbsError = Math.abs(d); // NaN (one side only) wins too
  }
  return { signal, noise, maxAbsError };
}

const sqnr = ({ signal, noise }: { signal: number; noise: number }) => (noise === 0 ? Infinity : 10 * Math.log10(signal / noise));

export async function compareArchive(kernels: Kernels, original: Record<string, TensorInput>, archive: Archive, options: CompareOptions = {}): Promise<Comparison> {
  const tensors = checkOriginal(original);
  if (archive === null || typeof archive !== 'object' || !Array.isArray(archive.tensors) || typeof archive.get !== 'function') {
    throw new TensorzipError('ARGUMENT', `compare archive: expected an Archive from open(), found ${describeValue(archive)}`);
  }
  if (options === null || typeof options !== 'object' || (options.onProgress !== undefined && typeof options.onProgress !== 'function')) throw new TensorzipError('ARGUMENT', `compare options: expected { onProgress?: function }, found ${describeValue(options?.onProgress ?? options)}`);
  const stored = new Map(archive.tensors.map((t) => [t.name, t]));
  const names = new Set(tensors.map(([name]) => name));
  const result: Comparison = {
    tensors: [], onlyInOriginal: [], onlyInArchive: archive.tensors.filter((t) => !names.has(t.name)).map((t) => t.name), shapeMismatches: [],
    total: { tensors: 0, elements: 0, encodedBytes: 0, bitsPerWeight: 0, maxAbsError: 0, minSqnrDb: Infinity, sqnrDb: Infinity },
  };
  const pooled = { signal: 0, noise: 0 };
  for (const [i, [name, t]] of tensors.entries()) {
    const info = stored.get(name);
    if (info === undefined) {
      result.onlyInOriginal.push(name);
    } else if (info.shape.length !== t.shape.length || info.shape.some((d: number, k: number) => d !== t.shape[k])) {
      result.shapeMismatches.push({ name, originalShape: [...t.shape], archiveShape: [...info.shape] });
    } else {
      const decoded = await archive.get(name);
      const sums = measure(valuesOf(kernels, t.dtype, t.data), valuesOf(kernels, decoded.dtype, decoded.data));
      const elements = t.data.length;
      result.tensors.push({
        name, dtype: t.dtype, shape: [...t.shape], storedDtype: info.storedDtype, encodedBytes: info.encodedBytes,
        bitsPerWeight: elements === 0 ? 0 : (info.encodedBytes * 8) / elements,
        maxAbsError: sums.maxAbsError, rmse: elements === 0 ? 0 : Math.sqrt(sums.noise / elements), sqnrDb: sqnr(sums),
      });
      const total = result.total;
      total.elements += elements;
      total.encodedBytes += info.encodedBytes;
      pooled.signal += sums.signal;
      pooled.noise += sums.noise;
      if (!(sums.maxAbsError <= total.maxAbsError)) total.maxAbsError = sums.maxAbsError;
      total.minSqnrDb = Math.min(total.minSqnrDb, sqnr(sums));
    }
    options.onProgress?.(i + 1, tensors.length);
  }
  const total = result.total;
  total.tensors = result.tensors.length;
  total.bitsPerWeight = total.elements === 0 ? 0 : (total.encodedBytes * 8) / total.elements;
  total.sqnrDb = sqnr(pooled);
  return result;
}
