// Detached signatures of .tzip files (docs/SECURITY.md): the SHA-256 of every block of the file, signed with Ed25519
// or ECDSA P-256. open(source, { publicKey }) checks the signature first, then each block as it is read, before any
// byte of it is used: a Range reader that fetches one tensor verifies exactly the blocks it read.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import type { ByteSource } from '../format/archive';
import type { ByteRange } from '../format/index-document';
import { sha256, sha256Now } from '../format/node-crypto';
import { readFromBlocks } from './block-read';
import { algorithmOf, importKey, signParams, type KeyInput, type SignatureAlgorithm } from './keys';

export const SIGNATURE_VERSION = 1;
const DEFAULT_BLOCK_BYTES = 1 << 16;
/** Verified blocks kept, so that neighbouring reads do not fetch and hash a block again. */
const KEPT_BLOCKS = 32;
const MAX_SIGNATURE_BYTES = 64 << 20;

interface Signed {
  algorithm: SignatureAlgorithm;
  bytes: number;
  blockBytes: number;
  blocks: string[];
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const sha256Hex = async (bytes: Uint8Array) => hex(await sha256(bytes));
const toBase64 = (bytes: Uint8Array) => btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''));

/**
 * The detached signature of a .tzip file (`<file>.sig`): the SHA-256 of each of its blocks of `blockBytes` (default
 * 64 KiB), signed with `privateKey` (Ed25519 or ECDSA P-256; a CryptoKey, a JWK or PKCS#8 PEM).
 * @example
 * const { privateKey, publicKey } = await generateKeyPair();
 * const signature = await sign(bytes, privateKey);
 * const archive = await open(bytes, { publicKey, signature });
 */
export async function sign(source: ByteSource, privateKey: KeyInput, options: { blockBytes?: number } = {}): Promise<Uint8Array> {
  const key = await importKey(privateKey, 'private', 'sign');
  const blockBytes = options.blockBytes ?? DEFAULT_BLOCK_BYTES;
  if (!Number.isSafeInteger(blockBytes) || blockBytes < 4096 || (blockBytes & (blockBytes - 1)) !== 0) throw new TensorzipError('ARGUMENT', `sign blockBytes: expected a power of two ≥ 4096, found ${describeValue(blockBytes)}`);
  const head = await source.read(0, Math.min(4, source.size));
  if (head.length < 4 || String.fromCharCode(...head) !== 'TZIP') throw new TensorzipError('ARGUMENT', 'sign: the file is not a .tzip file');
  const blocks: string[] = [];
  for (let at = 0; at < source.size; at += blockBytes) blocks.push(await sha256Hex(await source.read(at, Math.min(blockBytes, source.size - at))));
  const algorithm = algorithmOf(key);
  const payload = new TextEncoder().encode(JSON.stringify({ tensorzipSignature: SIGNATURE_VERSION, algorithm, hash: 'SHA-256', bytes: source.size, blockBytes, blocks }));
  const signature = new Uint8Array(await crypto.subtle.sign(signParams(algorithm), key, payload));
  const out = new Uint8Array(payload.length + 1);
  out.set(payload);
  out[payload.length] = 0x0a;
  return new Uint8Array([...out, ...new TextEncoder().encode(`${toBase64(signature)}\n`)]);
}

const refused = (message: string, cause?: unknown) => new TensorzipError('SIGNATURE', `open: ${message}`, cause === undefined ? {} : { cause });

/** Checks a signature file against the key; returns what it signs. Any fault is SIGNATURE: it may be tampering. */
async function checkSignature(file: Uint8Array, publicKey: KeyInput): Promise<Signed> {
  const key = await importKey(publicKey, 'public', 'open publicKey');
  if (file.length > MAX_SIGNATURE_BYTES) throw refused(`the signature has ${file.length} bytes, more than ${MAX_SIGNATURE_BYTES}`);
  const newline = file.indexOf(0x0a);
  if (newline < 0) throw refused('the signature is not a tensorzip signature (no payload line)');
  const payload = file.subarray(0, newline);
  let signature: Uint8Array;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(file.subarray(newline + 1)).trim();
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new Error('not base64');
    signature = Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch (cause) {
    throw refused('the signature line is not base64', cause);
  }
  const algorithm = algorithmOf(key);
  if (!(await crypto.subtle.verify(signParams(algorithm), key, signature as Uint8Array<ArrayBuffer>, payload as Uint8Array<ArrayBuffer>))) {
    throw refused(`the signature does not verify with this ${algorithm} public key (another key, or a changed signature)`);
  }
  // Signed by the key's holder: the payload is theirs, but check it as any input.
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch (cause) {
    throw refused('the signed payload is not JSON', cause);
  }
  if (doc.tensorzipSignature !== SIGNATURE_VERSION) throw refused(`signature version ${describeValue(doc.tensorzipSignature)}; this reader knows ${SIGNATURE_VERSION}`);
  const { bytes, blockBytes, blocks } = doc as { bytes: number; blockBytes: number; blocks: string[] };
  if (doc.algorithm !== algorithm || doc.hash !== 'SHA-256') throw refused(`the payload names ${describeValue(doc.algorithm)} / ${describeValue(doc.hash)}, the key is ${algorithm}`);
  if (!Number.isSafeInteger(bytes) || bytes < 0 || !Number.isSafeInteger(blockBytes) || blockBytes < 4096 || !Array.isArray(blocks)
    || blocks.length !== Math.ceil(bytes / blockBytes) || !blocks.every((b) => typeof b === 'string' && /^[0-9a-f]{64}$/.test(b))) {
    throw refused('the signed payload is malformed');
  }
  return { algorithm, bytes, blockBytes, blocks };
}

/**
 * `inner` read through a signature: its size must be the signed one, and every byte handed out comes from a block
 * whose SHA-256 is the signed one (SIGNATURE otherwise, before the bytes are used).
 */
export async function verifiedSource(inner: ByteSource, signatureFile: Uint8Array, publicKey: KeyInput): Promise<ByteSource> {
  const signed = await checkSignature(signatureFile, publicKey);
  if (inner.size !== signed.bytes) throw refused(`the file has ${inner.size} bytes, ${signed.bytes} were signed`);
  const { blockBytes, blocks } = signed;
  const unsigned = (n: number, bytes: Uint8Array) => refused(`bytes ${n * blockBytes}–${n * blockBytes + bytes.length - 1} differ from what was signed`);
  const blockRange = (n: number): [number, number] => [n * blockBytes, Math.min(blockBytes, inner.size - n * blockBytes)];
  const kept = new Map<number, Promise<Uint8Array>>();
  const keep = (n: number, checked: Promise<Uint8Array>): Promise<Uint8Array> => {
    kept.set(n, checked);
    if (kept.size > KEPT_BLOCKS) kept.delete(kept.keys().next().value!);
    return checked;
  };
  // A file in memory, where node:crypto hashes (Node): its blocks checked without a promise, each once, and a read
  // handed out as a view of the file once every block it covers is checked, so its tensors decode at once.
  const hashNow = sha256Now;
  const fileNow = inner.readNow && hashNow ? inner.readNow.bind(inner) : undefined;
  const checkedNow = new Uint8Array(blocks.length);
  const readNow = fileNow && ((offset: number, length: number): Uint8Array => {
    for (let n = Math.floor(offset / blockBytes); n * blockBytes < offset + length; n++) {
      if (checkedNow[n]) continue;
      const bytes = fileNow(...blockRange(n));
      if (hex(hashNow!(bytes)) !== blocks[n]) throw unsigned(n, bytes);
      checkedNow[n] = 1;
    }
    return fileNow(offset, length);
  });
  const block = (n: number): Promise<Uint8Array> => {
    const known = kept.get(n);
    if (known) return known;
    if (readNow) return Promise.resolve().then(() => readNow(...blockRange(n)));
    const checked = (async () => {
      const bytes = await inner.read(...blockRange(n));
      if ((await sha256Hex(bytes)) !== blocks[n]) throw unsigned(n, bytes);
      return bytes;
    })();
    checked.catch(() => kept.delete(n));
    return keep(n, checked);
  };
  const aligned = (r: ByteRange): ByteRange => {
    const from = Math.floor(r.offset / blockBytes) * blockBytes;
    return { offset: from, length: Math.min(inner.size, Math.ceil((r.offset + r.length) / blockBytes) * blockBytes) - from, checksum: 0 };
  };
  return {
    size: inner.size,
    reportsProgress: inner.reportsProgress,
    prefetch: inner.prefetch && ((ranges) => inner.prefetch!(ranges.map(aligned))),
    read: (offset, length) => readFromBlocks(offset, length, blockBytes, block),
    ...(readNow ? { readNow } : {}),
  };
}
