// The protobuf wire format (protobuf.dev/programming-guides/encoding), as much as ONNX needs: fields read one at a
// time with every length checked against the bytes, and messages written as lists of parts so that large payloads
// (raw tensor data) are copied once, into the final file.
import { TensorzipError } from '../errors';

export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
export const I32 = 5;

export interface Field {
  number: number;
  wire: number;
  /** Where the field (its tag) starts and ends in the message. */
  start: number;
  end: number;
  /** VARINT: the value's low and high 32 bits (unsigned). */
  lo: number;
  hi: number;
  /** LEN, I32, I64: the payload bytes (a view, not a copy). */
  data: Uint8Array;
}

const NO_BYTES: Uint8Array = new Uint8Array(0);

/** A varint at `at`: [low 32 bits, high 32 bits, the next position]. Past 10 bytes is CORRUPT. */
export function readVarint(bytes: Uint8Array, at: number, end: number, what: string): [number, number, number] {
  let lo = 0;
  let hi = 0;
  for (let shift = 0; ; shift += 7) {
    if (at >= end) throw new TensorzipError('TRUNCATED', `${what}: the bytes end inside a varint`, { offset: at });
    if (shift > 63) throw new TensorzipError('CORRUPT', `${what}: a varint longer than 10 bytes`, { offset: at });
    const b = bytes[at++];
    if (shift < 28) lo |= (b & 0x7f) << shift;
    else if (shift === 28) { lo |= (b & 0x0f) << 28; hi = (b & 0x7f) >> 4; }
    else hi |= (b & 0x7f) << (shift - 32);
    if ((b & 0x80) === 0) return [lo >>> 0, hi >>> 0, at];
  }
}

/** The fields of a message, in the order of its bytes. */
export function* fields(bytes: Uint8Array, what: string): Generator<Field> {
  const end = bytes.length;
  let at = 0;
  while (at < end) {
    const start = at;
    // One-byte varints (most tags and lengths in a model's graph) are read here, without readVarint's array.
    let tagLo = bytes[at]!;
    let tagHi = 0;
    if (tagLo < 0x80) at++;
    else [tagLo, tagHi, at] = readVarint(bytes, at, end, what);
    const wire = tagLo & 7;
    const number = (tagLo >>> 3) + tagHi * 2 ** 29;
    if (number === 0 || number >= 2 ** 29) throw new TensorzipError('CORRUPT', `${what}: field number ${number}`, { offset: start });
    let lo = 0;
    let hi = 0;
    let data = NO_BYTES;
    if (wire === VARINT) {
      if (at < end && bytes[at]! < 0x80) lo = bytes[at++]!;
      else [lo, hi, at] = readVarint(bytes, at, end, what);
    } else if (wire === LEN) {
      let length = bytes[at]!;
      let lengthHi = 0;
      let from = at + 1;
      if (!(at < end && length < 0x80)) [length, lengthHi, from] = readVarint(bytes, at, end, what);
      if (lengthHi !== 0 || length > end - from) throw new TensorzipError('TRUNCATED', `${what}: field ${number} is ${lengthHi * 2 ** 32 + length} bytes long, ${end - from} remain`, { offset: start });
      data = bytes.subarray(from, from + length);
      at = from + length;
    } else if (wire === I32 || wire === I64) {
      const width = wire === I32 ? 4 : 8;
      if (width > end - at) throw new TensorzipError('TRUNCATED', `${what}: the bytes end inside field ${number}`, { offset: start });
      data = bytes.subarray(at, at + width);
      at += width;
    } else {
      throw new TensorzipError('CORRUPT', `${what}: wire type ${wire} in field ${number}`, { offset: start });
    }
    yield { number, wire, start, end: at, lo, hi, data };
  }
}

/** A field's wire type checked: a field of a known number with another wire type is CORRUPT. */
export function expectWire(field: Field, wire: number, what: string): Field {
  if (field.wire !== wire) throw new TensorzipError('CORRUPT', `${what}: field ${field.number} has wire type ${field.wire}, expected ${wire}`, { offset: field.start });
  return field;
}

/** A varint field as a non-negative safe integer (enums, counts); anything else is CORRUPT. */
export function unsignedValue(field: Field, what: string): number {
  const value = field.hi * 2 ** 32 + field.lo;
  if (field.hi >= 2 ** 21) throw new TensorzipError('CORRUPT', `${what}: ${value} is not a non-negative safe integer`, { offset: field.start });
  return value;
}

/** A varint's halves as a signed 64-bit integer (int64 fields). */
export function int64Of(lo: number, hi: number): bigint {
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function stringValue(field: Field, what: string): string {
  expectWire(field, LEN, what);
  try {
    return utf8.decode(field.data);
  } catch (cause) {
    throw new TensorzipError('CORRUPT', `${what}: a string that is not UTF-8`, { offset: field.start, cause });
  }
}

/** A message being written: its bytes as parts (views of the input are kept, not copied), and their total size. */
export class ProtoWriter {
  readonly parts: Uint8Array[] = [];
  size = 0;

  /** Bytes as they are (a field copied from the input); a view that continues the last part extends it, so that a
   *  message copied field by field stays one part. */
  raw(bytes: Uint8Array): this {
    const last = this.parts[this.parts.length - 1];
    if (last !== undefined && last.buffer === bytes.buffer && last.byteOffset + last.length === bytes.byteOffset) {
      this.parts[this.parts.length - 1] = new Uint8Array(last.buffer, last.byteOffset, last.length + bytes.length);
    } else {
      this.parts.push(bytes);
    }
    this.size += bytes.length;
    return this;
  }

  /** A varint of a non-negative safe integer. */
  varint(value: number): this {
    const out: number[] = [];
    while (value >= 0x80) {
      out.push((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    out.push(value);
    return this.raw(Uint8Array.from(out));
  }

  tag(number: number, wire: number): this {
    return this.varint(number * 8 + wire);
  }

  varintField(number: number, value: number): this {
    return this.tag(number, VARINT).varint(value);
  }

  bytesField(number: number, bytes: Uint8Array): this {
    return this.tag(number, LEN).varint(bytes.length).raw(bytes);
  }

  stringField(number: number, value: string): this {
    return this.bytesField(number, new TextEncoder().encode(value));
  }

  messageField(number: number, message: ProtoWriter | Uint8Array): this {
    if (message instanceof Uint8Array) return this.bytesField(number, message);
    this.tag(number, LEN).varint(message.size);
    for (const part of message.parts) this.raw(part);
    return this;
  }

  /** A field of the input as it is when the walk left its message unchanged (`message` is its payload), else the
   *  rewritten message. */
  fieldOf(field: Field, input: Uint8Array, message: ProtoWriter | Uint8Array): this {
    return message === field.data ? this.raw(input.subarray(field.start, field.end)) : this.messageField(field.number, message);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}
