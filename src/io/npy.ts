// NumPy .npy, versions 1.0–3.0: "\x93NUMPY", major, minor, header length (u16 for v1, u32 for v2/v3), a Python dict
// literal {'descr': …, 'fortran_order': …, 'shape': (…), } padded so the data starts at a multiple of 64.
// Little-endian C-order arrays of the plain numeric types; anything else (objects, structured, big-endian, Fortran
// order) is UNSUPPORTED rather than guessed.
import { TensorzipError } from '../errors';
import { TENSOR_DTYPES, type TensorArray, type TensorDtype } from '../format/dtypes';
import type { TensorInput } from '../format/pack';
import { describeValue } from '../codecs/describe-value';
import { elementCount, nullObject, ownEntry } from './untrusted';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** NumPy refuses longer headers by default (_MAX_HEADER_SIZE). */
const MAX_HEADER = 10_000;

const DESCR: Record<string, TensorDtype> = {
  '<f4': 'float32', '<f8': 'float64', '<f2': 'float16', '|i1': 'int8', '|u1': 'uint8', '<i2': 'int16', '<u2': 'uint16',
  '<i4': 'int32', '<u4': 'uint32', '<i8': 'int64', '<u8': 'uint64', '|b1': 'bool',
};
const DESCR_OF = Object.fromEntries(Object.entries(DESCR).map(([d, t]) => [t, d])) as Partial<Record<TensorDtype, string>>;

export function readNpy(bytes: Uint8Array): TensorInput {
  if (!(bytes instanceof Uint8Array)) throw new TensorzipError('ARGUMENT', 'npy.read: expected a Uint8Array');
  if (bytes.length < 10) throw new TensorzipError('TRUNCATED', `npy.read: a .npy file has at least 10 bytes, found ${bytes.length}`);
  if (MAGIC.some((b, i) => bytes[i] !== b)) throw new TensorzipError('CORRUPT', 'npy.read: expected the magic "\\x93NUMPY"', { offset: 0 });
  const major = bytes[6];
  if (major < 1 || major > 3) throw new TensorzipError('UNSUPPORTED', `npy.read: format version ${major}.${bytes[7]}`, { offset: 6 });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major > 1 && bytes.length < 12) throw new TensorzipError('TRUNCATED', 'npy.read: the header length is cut off');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (headerLength > MAX_HEADER) throw new TensorzipError('LIMIT', `npy.read: a header of ${headerLength} bytes is over ${MAX_HEADER}`);
  if (start + headerLength > bytes.length) throw new TensorzipError('TRUNCATED', `npy.read: the header needs ${start + headerLength} bytes, the file has ${bytes.length}`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength));
  const header = parseHeader(text);
  const dtype = ownEntry(DESCR, header.descr);
  if (dtype === undefined) throw new TensorzipError('UNSUPPORTED', `npy.read: dtype ${describeValue(header.descr)} (little-endian plain numbers only; no objects, structs or big-endian)`);
  if (header.fortran_order) throw new TensorzipError('UNSUPPORTED', 'npy.read: Fortran-order arrays (save them in C order)');
  const shape = header.shape;
  const count = elementCount(shape, `npy.read: shape (${shape.join(', ')})`);
  const { array, bytes: width } = TENSOR_DTYPES[dtype];
  const dataStart = start + headerLength;
  if (bytes.length - dataStart < count * width) throw new TensorzipError('TRUNCATED', `npy.read: ${count * width} data bytes expected, found ${bytes.length - dataStart}`);
  if (bytes.length - dataStart > count * width) throw new TensorzipError('CORRUPT', `npy.read: ${bytes.length - dataStart - count * width} bytes past the data`);
  const copy = new Uint8Array(bytes.subarray(dataStart, dataStart + count * width));
  return { dtype, shape, data: new array(copy.buffer, 0, count) as TensorArray };
}

interface NpyHeader {
  descr: string;
  fortran_order: boolean;
  shape: number[];
}

/**
 * The header dict as NumPy writes it: exactly the keys descr, fortran_order and shape, each once, in any order, with
 * an optional trailing comma, then padding. One pass over the text, so any header parses in linear time.
 */
function parseHeader(text: string): NpyHeader {
  let at = 0;
  const fail = (): never => {
    throw new TensorzipError('CORRUPT', `npy.read: the header is not the dict NumPy writes (at character ${at}): ${JSON.stringify(text.slice(0, 200))}`);
  };
  const space = () => { while (at < text.length && /\s/.test(text[at])) at++; };
  const take = (token: string) => { space(); if (!text.startsWith(token, at)) fail(); at += token.length; };
  const oneOf = (...words: string[]): string => {
    const word = words.find((w) => text.startsWith(w, at)) ?? fail();
    at += word.length;
    return word;
  };
  const quoted = (): string => {
    take("'");
    const close = text.indexOf("'", at);
    if (close < 0) fail();
    const value = text.slice(at, close);
    at = close + 1;
    return value;
  };
  const digits = (): number => {
    const first = at;
    while (at < text.length && text[at] >= '0' && text[at] <= '9') at++;
    const d = Number(text.slice(first, at));
    if (at === first || !Number.isSafeInteger(d)) fail();
    return d;
  };
  const found = nullObject<unknown>();
  take('{');
  for (let member = 0; member < 3; member++) {
    const key = quoted();
    if (!['descr', 'fortran_order', 'shape'].includes(key) || key in found) fail();
    take(':');
    space();
    if (key === 'descr') found.descr = quoted();
    else if (key === 'fortran_order') found.fortran_order = oneOf('True', 'False') === 'True';
    else {
      const shape: number[] = [];
      take('(');
      for (space(); text[at] !== ')'; space()) {
        shape.push(digits());
        space();
        if (text[at] === ',') at++;
        else if (text[at] !== ')') fail();
      }
      at++;
      found.shape = shape;
    }
    space();
    if (text[at] === ',') at++;
  }
  take('}');
  space();
  if (at !== text.length) fail();
  return found as unknown as NpyHeader;
}

export function writeNpy(tensor: TensorInput): Uint8Array {
  const descr = ownEntry(DESCR_OF, tensor?.dtype);
  if (descr === undefined) throw new TensorzipError('UNSUPPORTED', `npy.write: NumPy has no ${describeValue(tensor?.dtype)} dtype`);
  const count = tensor.shape.reduce((a, d) => a * d, 1);
  if (!(tensor.data instanceof TENSOR_DTYPES[tensor.dtype].array) || tensor.data.length !== count) {
    throw new TensorzipError('ARGUMENT', `npy.write: a ${tensor.dtype} tensor of shape [${tensor.shape.join(', ')}] needs a ${TENSOR_DTYPES[tensor.dtype].array.name} of ${count} elements`);
  }
  const shape = tensor.shape.length === 1 ? `(${tensor.shape[0]},)` : `(${tensor.shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Version 1 while the header fits a u16; the data starts at a multiple of 64, the header ends with '\n'.
  const v1 = dict.length + 11 <= 65535;
  const prelude = v1 ? 10 : 12;
  const total = Math.ceil((prelude + dict.length + 1) / 64) * 64;
  const header = dict + ' '.repeat(total - prelude - dict.length - 1) + '\n';
  const out = new Uint8Array(total + tensor.data.byteLength);
  out.set(MAGIC, 0);
  out[6] = v1 ? 1 : 2;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (v1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), prelude);
  out.set(new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength), total);
  return out;
}
