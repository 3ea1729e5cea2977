// Sealed pieces of an encrypted .tzip file (docs/FORMAT.md, Encrypted archives): each chunk, parameter block and the
// index is AES-256-GCM under the archive's subkey, its nonce the piece's offset in the file, so a piece opens only
// where it was written. WebCrypto does the work (Node ≥ 20, Deno, browsers).
import { TensorzipError } from '../errors';

/** The GCM tag each sealed piece carries after its ciphertext. */
export const SEAL_TAG_BYTES = 16;

/** What a nonce's last 4 bytes say the piece is: the index, or a chunk / parameter block. */
export const PIECE_CHUNK = 0;
export const PIECE_INDEX = 1;

type Bytes = Uint8Array<ArrayBuffer>;
const gcm = (iv: Uint8Array, additionalData: Uint8Array) => ({ name: 'AES-GCM', iv: iv as Bytes, additionalData: additionalData as Bytes, tagLength: 128 });

/**
 * AES-GCM with a 128-bit tag: the ciphertext of `plaintext` followed by its tag. The one function every sealed piece
 * goes through (test/sealed.test.ts checks it against NIST's vectors).
 */
export async function aesGcmSeal(key: CryptoKey, iv: Uint8Array, additionalData: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.encrypt(gcm(iv, additionalData), key, plaintext as Bytes));
}

/** The plaintext of a sealed piece, or SIGNATURE when its tag does not verify (another key, nonce, data or bytes). */
export async function aesGcmOpen(key: CryptoKey, iv: Uint8Array, additionalData: Uint8Array, sealed: Uint8Array, what: string): Promise<Uint8Array> {
  if (sealed.length < SEAL_TAG_BYTES) throw new TensorzipError('CORRUPT', `open: ${what} is ${sealed.length} bytes, shorter than its ${SEAL_TAG_BYTES}-byte tag`);
  try {
    return new Uint8Array(await crypto.subtle.decrypt(gcm(iv, additionalData), key, sealed as Bytes));
  } catch (cause) {
    throw new TensorzipError('SIGNATURE', `open: ${what} does not authenticate (changed, moved, or from another archive)`, { cause });
  }
}

/** The 12-byte nonce of the piece stored at `offset`: the offset as a u64, then the piece's kind as a u32. */
export function pieceNonce(offset: number, kind: number): Uint8Array {
  const nonce = new Uint8Array(12);
  const view = new DataView(nonce.buffer);
  view.setBigUint64(0, BigInt(offset), true);
  view.setUint32(8, kind, true);
  return nonce;
}

const NO_DATA = new Uint8Array(0);

/** Seals and opens the pieces of one archive with its subkey. */
export class Sealer {
  constructor(private readonly key: CryptoKey) {}

  /** A chunk or parameter block written at `offset`. */
  seal(offset: number, plaintext: Uint8Array): Promise<Uint8Array> {
    return aesGcmSeal(this.key, pieceNonce(offset, PIECE_CHUNK), NO_DATA, plaintext);
  }

  open(offset: number, stored: Uint8Array, what: string): Promise<Uint8Array> {
    return aesGcmOpen(this.key, pieceNonce(offset, PIECE_CHUNK), NO_DATA, stored, what);
  }

  /** The index at `offset`: encrypted, or (public) left as it is and followed by the tag of `bound` and itself. */
  async sealIndex(offset: number, index: Uint8Array, bound: Uint8Array, publicIndex: boolean): Promise<Uint8Array> {
    const nonce = pieceNonce(offset, PIECE_INDEX);
    if (!publicIndex) return aesGcmSeal(this.key, nonce, bound, index);
    const tag = await aesGcmSeal(this.key, nonce, concat(bound, index), NO_DATA);
    return concat(index, tag);
  }

  async openIndex(offset: number, stored: Uint8Array, bound: Uint8Array, publicIndex: boolean): Promise<Uint8Array> {
    const nonce = pieceNonce(offset, PIECE_INDEX);
    if (!publicIndex) return aesGcmOpen(this.key, nonce, bound, stored, 'the index');
    if (stored.length < SEAL_TAG_BYTES) throw new TensorzipError('CORRUPT', `open: the index is ${stored.length} bytes, shorter than its ${SEAL_TAG_BYTES}-byte tag`);
    const index = stored.subarray(0, stored.length - SEAL_TAG_BYTES);
    await aesGcmOpen(this.key, nonce, concat(bound, index), stored.subarray(index.length), 'the index');
    return index;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
