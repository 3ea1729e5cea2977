// The seal header of an encrypted .tzip file (docs/FORMAT.md, Encrypted archives): 80 bytes right after the prefix
// that say how the key is derived (a key, or a passphrase with its PBKDF2 salt and iterations), the archive's random
// id, and the key check that tells a wrong key from damage before anything is decrypted.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';
import { PREFIX_BYTES } from './framing';
import { Sealer } from './seal';
import {
  archiveKeys, DEFAULT_ITERATIONS, masterKey, MAX_ITERATIONS, MIN_WRITE_ITERATIONS, passphraseBytes, passphraseKey,
  type DecryptOptions, type EncryptOptions,
} from './seal-keys';

export const SEAL_HEADER_BYTES = 80;
const SUITE_AES_256_GCM = 1;
const KEY_RAW = 0;
const KEY_PASSPHRASE = 1;
const OPTION_PUBLIC_INDEX = 1;
const SALT_BYTES = 16;
const ID_BYTES = 16;
const CHECK_BYTES = 32;
const AT = { suite: 0, keyKind: 1, options: 2, reserved: 3, iterations: 4, salt: 8, id: 24, check: 40, reserved2: 72, checksum: 76 } as const;

type Hash = (bytes: Uint8Array) => number;

/** An archive's sealing: its header bytes, whether its index is public, and the sealer of its pieces. */
export interface Sealing {
  header: Uint8Array;
  publicIndex: boolean;
  sealer: Sealer;
}

/** What the index's tag covers besides the index: the prefix's flags and the seal header, so neither can change. */
export function indexBinding(flags: number, header: Uint8Array): Uint8Array {
  const bound = new Uint8Array(2 + header.length);
  new DataView(bound.buffer).setUint16(0, flags, true);
  bound.set(header, 2);
  return bound;
}

function exactlyOne(options: EncryptOptions | DecryptOptions, what: string): void {
  if (typeof options !== 'object' || options === null || (options.key === undefined) === (options.passphrase === undefined)) {
    throw new TensorzipError('ARGUMENT', `${what}: expected { key } or { passphrase }, exactly one of them`);
  }
}

/** A new archive's header and sealer: a fresh random id (and salt, for a passphrase). */
export async function newSealing(options: EncryptOptions, hash: Hash, what: string): Promise<Sealing> {
  exactlyOne(options, what);
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < MIN_WRITE_ITERATIONS || iterations > MAX_ITERATIONS) {
    throw new TensorzipError('ARGUMENT', `${what} iterations: expected an integer from ${MIN_WRITE_ITERATIONS} to ${MAX_ITERATIONS}, found ${describeValue(options.iterations)}`);
  }
  const header = new Uint8Array(SEAL_HEADER_BYTES);
  const view = new DataView(header.buffer);
  header[AT.suite] = SUITE_AES_256_GCM;
  header[AT.options] = options.publicIndex ? OPTION_PUBLIC_INDEX : 0;
  const id = crypto.getRandomValues(header.subarray(AT.id, AT.id + ID_BYTES));
  let master: CryptoKey;
  if (options.passphrase !== undefined) {
    const password = passphraseBytes(options.passphrase, `${what} passphrase`);
    header[AT.keyKind] = KEY_PASSPHRASE;
    view.setUint32(AT.iterations, iterations, true);
    master = await passphraseKey(password, crypto.getRandomValues(header.subarray(AT.salt, AT.salt + SALT_BYTES)), iterations);
  } else {
    master = await masterKey(options.key!, `${what} key`);
  }
  const { subkey, keyCheck } = await archiveKeys(master, id);
  header.set(keyCheck, AT.check);
  view.setUint32(AT.checksum, hash(header.subarray(0, AT.checksum)), true);
  return { header, publicIndex: options.publicIndex === true, sealer: new Sealer(subkey) };
}

/**
 * Reads the header at `PREFIX_BYTES` and derives the archive's sealer from the caller's key or passphrase. A header
 * that does not match its checksum is CHECKSUM; a key or passphrase that does not give its key check is SIGNATURE.
 * The header is checked before the caller's options: damaged bytes are never blamed on the caller (ARGUMENT).
 */
export async function openSealing(header: Uint8Array, options: DecryptOptions | undefined, hash: Hash): Promise<Sealing> {
  if (header.length < SEAL_HEADER_BYTES) throw new TensorzipError('TRUNCATED', `open: an encrypted archive has a ${SEAL_HEADER_BYTES}-byte seal header after its prefix`);
  const view = new DataView(header.buffer, header.byteOffset, SEAL_HEADER_BYTES);
  const at = (field: number) => PREFIX_BYTES + field;
  if (hash(header.subarray(0, AT.checksum)) !== view.getUint32(AT.checksum, true)) throw new TensorzipError('CHECKSUM', 'open: the seal header checksum does not match', { offset: at(AT.checksum) });
  if (header[AT.suite] !== SUITE_AES_256_GCM) throw new TensorzipError('UNSUPPORTED', `open: cipher suite ${header[AT.suite]}; this reader knows ${SUITE_AES_256_GCM} (AES-256-GCM, HKDF-SHA256)`, { offset: at(AT.suite) });
  const keyKind = header[AT.keyKind];
  if (keyKind !== KEY_RAW && keyKind !== KEY_PASSPHRASE) throw new TensorzipError('UNSUPPORTED', `open: key kind ${keyKind}; this reader knows 0 (a key) and 1 (a passphrase)`, { offset: at(AT.keyKind) });
  if ((header[AT.options] & ~OPTION_PUBLIC_INDEX) !== 0) throw new TensorzipError('UNSUPPORTED', `open: unknown seal options ${header[AT.options]}`, { offset: at(AT.options) });
  if (header[AT.reserved] !== 0 || view.getUint32(AT.reserved2, true) !== 0) throw new TensorzipError('CORRUPT', 'open: reserved seal header bytes are not zero', { offset: at(AT.reserved) });
  const iterations = view.getUint32(AT.iterations, true);
  const salt = header.subarray(AT.salt, AT.salt + SALT_BYTES);
  if (keyKind === KEY_PASSPHRASE) {
    if (iterations === 0) throw new TensorzipError('CORRUPT', 'open: a passphrase with 0 PBKDF2 iterations', { offset: at(AT.iterations) });
    if (iterations > MAX_ITERATIONS) throw new TensorzipError('LIMIT', `open: ${iterations} PBKDF2 iterations, more than ${MAX_ITERATIONS}`, { offset: at(AT.iterations) });
  } else if (iterations !== 0 || salt.some((b) => b !== 0)) {
    throw new TensorzipError('CORRUPT', 'open: a keyed archive with PBKDF2 parameters', { offset: at(AT.iterations) });
  }
  if (options === undefined) throw new TensorzipError('ARGUMENT', 'open: the archive is encrypted; pass decrypt: { key } or { passphrase }');
  exactlyOne(options, 'open decrypt');
  let master: CryptoKey;
  if (keyKind === KEY_PASSPHRASE) {
    if (options.passphrase === undefined) throw new TensorzipError('ARGUMENT', 'open decrypt: the archive was encrypted with a passphrase; pass decrypt: { passphrase }');
    master = await passphraseKey(passphraseBytes(options.passphrase, 'open decrypt passphrase'), salt, iterations);
  } else {
    if (options.key === undefined) throw new TensorzipError('ARGUMENT', 'open decrypt: the archive was encrypted with a key; pass decrypt: { key }');
    master = await masterKey(options.key, 'open decrypt key');
  }
  const { subkey, keyCheck } = await archiveKeys(master, header.subarray(AT.id, AT.id + ID_BYTES));
  let differ = 0;
  for (let i = 0; i < CHECK_BYTES; i++) differ |= keyCheck[i] ^ header[AT.check + i];
  if (differ !== 0) throw new TensorzipError('SIGNATURE', `open: the ${keyKind === KEY_PASSPHRASE ? 'passphrase' : 'key'} does not open this archive (a wrong ${keyKind === KEY_PASSPHRASE ? 'passphrase' : 'key'}, or a changed seal header)`);
  return { header: header.slice(0, SEAL_HEADER_BYTES), publicIndex: (header[AT.options] & OPTION_PUBLIC_INDEX) !== 0, sealer: new Sealer(subkey) };
}
