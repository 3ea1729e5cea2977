// AES-256-GCM of one sealed piece with a 128-bit tag: the ciphertext followed by its tag. WebCrypto does it in every
// runtime, except Node, where node:crypto's synchronous cipher does: the same OpenSSL code without WebCrypto's
// per-call promise and thread hop, which cost 60–250 µs a piece in Node 20 (a 64 KiB piece: 270 MB/s through
// WebCrypto, 1.5 GB/s through node:crypto — bench/sealed.bench.ts decrypts 520 pieces per archive). Both give the
// same bytes: test/sealed.test.ts checks NIST's vectors in Node, Chromium and Deno.
import { TensorzipError } from '../errors';
import { NODE_CRYPTO as NODE } from './node-crypto';

/** The GCM tag each sealed piece carries after its ciphertext. */
export const SEAL_TAG_BYTES = 16;

type Bytes = Uint8Array<ArrayBuffer>;

/** A 256-bit AES-GCM key: a WebCrypto key, and its bytes where node:crypto does the work. */
export interface GcmKey {
  readonly webCrypto: CryptoKey;
  readonly bytes?: Uint8Array;
}

/** The key of 32 `bytes` (the caller may wipe them afterwards). */
export async function gcmKey(bytes: Uint8Array): Promise<GcmKey> {
  const webCrypto = await crypto.subtle.importKey('raw', bytes as Bytes, 'AES-GCM', false, ['encrypt', 'decrypt']);
  return NODE ? { webCrypto, bytes: bytes.slice() } : { webCrypto };
}

const gcm = (iv: Uint8Array, additionalData: Uint8Array) => ({ name: 'AES-GCM', iv: iv as Bytes, additionalData: additionalData as Bytes, tagLength: 128 });

/** A plain Uint8Array over `bytes` (node:crypto returns Buffers, whose small ones share a pooled ArrayBuffer). */
const ownBytes = (bytes: Uint8Array) => (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? new Uint8Array(bytes.buffer) : new Uint8Array(bytes));

/** The one function every sealed piece goes through (test/sealed.test.ts checks it against NIST's vectors). */
export async function aesGcmSeal(key: GcmKey, iv: Uint8Array, additionalData: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  if (NODE && key.bytes) {
    const cipher = NODE.createCipheriv('aes-256-gcm', key.bytes, iv, { authTagLength: SEAL_TAG_BYTES });
    if (additionalData.length > 0) cipher.setAAD(additionalData);
    const body = cipher.update(plaintext);
    const rest = cipher.final();
    const out = new Uint8Array(body.length + rest.length + SEAL_TAG_BYTES);
    out.set(body);
    out.set(rest, body.length);
    out.set(cipher.getAuthTag(), body.length + rest.length);
    return out;
  }
  return new Uint8Array(await crypto.subtle.encrypt(gcm(iv, additionalData), key.webCrypto, plaintext as Bytes));
}

/** The plaintext of a sealed piece, or SIGNATURE when its tag does not verify (another key, nonce, data or bytes). */
export async function aesGcmOpen(key: GcmKey, iv: Uint8Array, additionalData: Uint8Array, sealed: Uint8Array, what: string): Promise<Uint8Array> {
  if (opensNow(key)) return aesGcmOpenNow(key, iv, additionalData, sealed, what);
  checkLength(sealed, what);
  try {
    return new Uint8Array(await crypto.subtle.decrypt(gcm(iv, additionalData), key.webCrypto, sealed as Bytes));
  } catch (cause) {
    throw refused(what, cause);
  }
}

/** Whether aesGcmOpenNow can open pieces with `key` (node:crypto, in Node). */
export const opensNow = (key: GcmKey): boolean => NODE !== undefined && key.bytes !== undefined;

/** aesGcmOpen without a promise, where opensNow(key). */
export function aesGcmOpenNow(key: GcmKey, iv: Uint8Array, additionalData: Uint8Array, sealed: Uint8Array, what: string): Uint8Array {
  checkLength(sealed, what);
  try {
    const decipher = NODE!.createDecipheriv('aes-256-gcm', key.bytes!, iv, { authTagLength: SEAL_TAG_BYTES });
    if (additionalData.length > 0) decipher.setAAD(additionalData);
    decipher.setAuthTag(sealed.subarray(sealed.length - SEAL_TAG_BYTES));
    const body = decipher.update(sealed.subarray(0, sealed.length - SEAL_TAG_BYTES));
    decipher.final();
    return ownBytes(body);
  } catch (cause) {
    throw refused(what, cause);
  }
}

function checkLength(sealed: Uint8Array, what: string): void {
  if (sealed.length < SEAL_TAG_BYTES) throw new TensorzipError('CORRUPT', `open: ${what} is ${sealed.length} bytes, shorter than its ${SEAL_TAG_BYTES}-byte tag`);
}

const refused = (what: string, cause: unknown) => new TensorzipError('SIGNATURE', `open: ${what} does not authenticate (changed, moved, or from another archive)`, { cause });
