// Structure-aware mutation of JSON headers: parse, change one value (huge, negative or fractional numbers, other
// types, dangerous keys such as __proto__, duplicate keys and array entries, deep nesting), serialize again.
import type { Random } from './mutate-bytes';

const pick = <T>(rng: Random, items: readonly T[]): T => items[Math.floor(rng() * items.length)];

/** An object kept as its entries, so a key may appear twice when serialized. */
class Entries {
  constructor(readonly entries: [string, Json][]) {}
}
type Json = null | boolean | number | string | Json[] | Entries;

const NUMBERS = [0, -1, 1, -8, 0.5, 2 ** 31, 2 ** 32, 2 ** 53 + 2, 2 ** 29, 1e308, -1e308, 3, 8, 255, 65535, 2 ** 63];
const STRINGS = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', '', 'float32', 'int8', 'uint8', 'float16',
  'bfloat16', 'int64', 'bool', 'q4_k', 'q8_0', 'int4', 'F32', 'I64', 'BF16', 'lz4', 'sparse', 'csr', 'NaN', '\u0000',
  'tfjs_uint8', 'tfjs_uint16'];
const KEYS = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'length', '__metadata__'];

function toEntries(value: unknown): Json {
  if (Array.isArray(value)) return value.map(toEntries);
  if (typeof value === 'object' && value !== null) return new Entries(Object.entries(value).map(([k, v]) => [k, toEntries(v)]));
  return value as Json;
}

function serialize(value: Json): string {
  if (value instanceof Entries) return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${serialize(v)}`).join(',')}}`;
  if (Array.isArray(value)) return `[${value.map(serialize).join(',')}]`;
  if (typeof value === 'number' && !Number.isFinite(value)) return '1e999';
  return JSON.stringify(value);
}

/** Every container (array or object) in the tree, with how to replace each of its children. */
function slots(root: Json): { get(): Json; set(v: Json): void; parent: Json[] | Entries }[] {
  const out: { get(): Json; set(v: Json): void; parent: Json[] | Entries }[] = [];
  const stack: Json[] = [root];
  while (stack.length > 0 && out.length < 4096) {
    const node = stack.pop()!;
    if (Array.isArray(node)) {
      node.forEach((child, i) => { out.push({ get: () => node[i], set: (v) => { node[i] = v; }, parent: node }); stack.push(child); });
    } else if (node instanceof Entries) {
      node.entries.forEach((entry) => { out.push({ get: () => entry[1], set: (v) => { entry[1] = v; }, parent: node }); stack.push(entry[1]); });
    }
  }
  return out;
}

function newValue(rng: Random, old: Json): Json {
  switch (Math.floor(rng() * 8)) {
    case 0: return pick(rng, NUMBERS);
    case 1: return typeof old === 'number' ? old + pick(rng, [-1, 1, 0.5]) : pick(rng, NUMBERS);
    case 2: return pick(rng, STRINGS);
    case 3: return pick(rng, [null, true, [], new Entries([]), [0], '1'] as Json[]);
    case 4: return typeof old === 'string' && old.length > 0 ? old.slice(0, Math.floor(rng() * old.length)) + pick(rng, ['', 'x', '0', old]) : old;
    case 5: return Array.isArray(old) ? [...old, ...old] : [old];
    case 6: return typeof old === 'number' ? -old : pick(rng, NUMBERS);
    default: return Array.isArray(old) && old.length > 0 ? old.slice(0, -1) : null;
  }
}

/** One structural edit of the JSON `text`; undefined when it does not parse. */
export function mutateJson(text: string, rng: Random): string | undefined {
  let root: Json;
  try {
    root = toEntries(JSON.parse(text)); // recursive: a deeply nested input (from an earlier mutation) is left alone
  } catch {
    return undefined;
  }
  const all = slots(root);
  if (all.length === 0) return serialize(newValue(rng, root));
  const slot = pick(rng, all);
  const op = rng();
  if (op < 0.45) {
    slot.set(newValue(rng, slot.get()));
  } else if (op < 0.55) { // two numbers set to the same value: a shape and its chunk size, a count and a length
    const numbers = all.filter((s) => typeof s.get() === 'number');
    const value = pick(rng, NUMBERS);
    for (let n = 0; n < 2 && numbers.length > 0; n++) pick(rng, numbers).set(value);
  } else if (op < 0.7 && slot.parent instanceof Entries) { // a dangerous key, or a key twice
    const entries = slot.parent.entries;
    const [key, value] = pick(rng, entries);
    entries.push(rng() < 0.5 ? [key, value] : [pick(rng, KEYS), value]);
  } else if (op < 0.8 && Array.isArray(slot.parent)) { // an entry twice (duplicate names)
    slot.parent.push(slot.get());
  } else if (op < 0.9 && slot.parent instanceof Entries) { // a key deleted
    slot.parent.entries.splice(Math.floor(rng() * slot.parent.entries.length), 1);
  } else { // deep nesting, textually (serializing it would recurse as deep)
    const depth = pick(rng, [64, 5000, 100_000]);
    const marker = JSON.stringify('\u0001nest\u0001');
    slot.set('\u0001nest\u0001');
    return serialize(root).replace(marker, '['.repeat(depth) + '1' + ']'.repeat(depth));
  }
  return serialize(root);
}
