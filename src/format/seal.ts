// Sealed pieces of an encrypted .tzip file (docs/FORMAT.md, Encrypted archives): each chunk, parameter block and the
// index is AES-256-GCM under the archive's subkey, its nonce the piece's offset in the file, so a piece opens only
// where it was written. aes-gcm.ts does the work.
import { TensorzipError } from '../errors';
import { aesGcmOpen, aesGcmOpenNow, aesGcmSeal, opensNow, SEAL_TAG_BYTES, type GcmKey } from './aes-gcm';

export { SEAL_TAG_BYTES };

/** What a nonce's last 4 bytes say the piece is: the index, or a chunk / parameter block. */
export const PIECE_CHUNK = 0;
export const PIECE_INDEX = 1;

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
  constructor(private readonly key: GcmKey) {}

  /** A chunk or parameter block written at `offset`. */
  seal(offset: number, plaintext: Uint8Array): Promise<Uint8Array> {
    return aesGcmSeal(this.key, pieceNonce(offset, PIECE_CHUNK), NO_DATA, plaintext);
  }

  open(offset: number, stored: Uint8Array, what: string): Promise<Uint8Array> {
    return aesGcmOpen(this.key, pieceNonce(offset, PIECE_CHUNK), NO_DATA, stored, what);
  }

  /** Whether openNow works here (node:crypto, in Node). */
  get opensNow(): boolean {
    return opensNow(this.key);
  }

  /** open() without a promise, where opensNow. */
  openNow(offset: number, stored: Uint8Array, what: string): Uint8Array {
    return aesGcmOpenNow(this.key, pieceNonce(offset, PIECE_CHUNK), NO_DATA, stored, what);
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
