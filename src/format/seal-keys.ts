// The keys of encrypted archives (docs/FORMAT.md, Encrypted archives): the caller's 256-bit secret (raw bytes, a
// CryptoKey or an "oct" JWK) or a passphrase stretched by PBKDF2-HMAC-SHA256, and the per-archive subkey and key
// check derived from it by HKDF-SHA256 with the archive's random id, through WebCrypto.
import { TensorzipError } from '../errors';
import { gcmKey, type GcmKey } from './aes-gcm';

/** A 256-bit secret key as the caller has it: 32 raw bytes, a CryptoKey (HKDF, or any extractable secret key of 32
 *  bytes), or a JWK of kty "oct" (what generateSecretKey gives). */
export type SecretKeyInput = Uint8Array | CryptoKey | JsonWebKey;

/** pack's and ContainerWriter's `encrypt`: one of `key` and `passphrase`. */
export interface EncryptOptions {
  key?: SecretKeyInput;
  /** Stretched with PBKDF2-HMAC-SHA256 over a random salt (its UTF-8 bytes, NFC-normalized). */
  passphrase?: string;
  /** PBKDF2 iterations for a passphrase (default 600,000, OWASP's 2023 count for PBKDF2-HMAC-SHA256; 100,000 to
   *  10,000,000). Stored in the file, so a later writer can raise it. */
  iterations?: number;
  /** Leave the index readable (names, dtypes, shapes, sizes), still authenticated (default false: encrypted). */
  publicIndex?: boolean;
}

/** open's `decrypt`: the key or passphrase the archive was encrypted with. */
export interface DecryptOptions {
  key?: SecretKeyInput;
  passphrase?: string;
}

export const SECRET_KEY_BYTES = 32;
export const DEFAULT_ITERATIONS = 600_000;
export const MIN_WRITE_ITERATIONS = 100_000;
/** The most PBKDF2 iterations a reader runs: a file cannot make open() spend more than a few seconds. */
export const MAX_ITERATIONS = 10_000_000;

type Bytes = Uint8Array<ArrayBuffer>;
const utf8 = new TextEncoder();
const fromBase64Url = (text: string) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
const toBase64Url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

const importHkdf = (bytes: Uint8Array) => crypto.subtle.importKey('raw', bytes as Bytes, 'HKDF', false, ['deriveBits']);

/** HKDF-SHA256 (RFC 5869): `bits` of output keying material from `ikm` (an HKDF CryptoKey), `salt` and `info`. */
export async function hkdfSha256(ikm: CryptoKey, salt: Uint8Array, info: Uint8Array, bits: number): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: salt as Bytes, info: info as Bytes }, ikm, bits));
}

/** PBKDF2-HMAC-SHA256 (RFC 8018): `bits` derived from `password` and `salt` in `iterations` rounds. */
export async function pbkdf2Sha256(password: Uint8Array, salt: Uint8Array, iterations: number, bits: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', password as Bytes, 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: salt as Bytes, iterations }, key, bits));
}

const wrongKey = (what: string, found: string) => new TensorzipError('ARGUMENT', `${what}: expected a key of ${SECRET_KEY_BYTES} bytes (raw bytes, a CryptoKey, or a JWK of kty "oct"), found ${found}`);

/** The caller's key as HKDF input keying material. */
export async function masterKey(key: SecretKeyInput, what: string): Promise<CryptoKey> {
  if (key instanceof Uint8Array) {
    if (key.length !== SECRET_KEY_BYTES) throw wrongKey(what, `${key.length} bytes`);
    return importHkdf(key);
  }
  if (typeof CryptoKey !== 'undefined' && key instanceof CryptoKey) {
    if (key.algorithm.name === 'HKDF' && key.usages.includes('deriveBits')) return key;
    if (key.type !== 'secret' || !key.extractable) throw wrongKey(what, `a ${key.extractable ? '' : 'non-extractable '}${key.type} ${key.algorithm.name} CryptoKey (an HKDF key with deriveBits, or an extractable secret key, is taken)`);
    return masterKey(new Uint8Array(await crypto.subtle.exportKey('raw', key)), what);
  }
  if (typeof key === 'object' && key !== null && (key as JsonWebKey).kty === 'oct' && typeof (key as JsonWebKey).k === 'string') {
    let bytes: Uint8Array;
    try {
      bytes = fromBase64Url((key as JsonWebKey).k!);
    } catch (cause) {
      throw new TensorzipError('ARGUMENT', `${what}: the JWK's k is not base64url`, { cause });
    }
    return masterKey(bytes, what);
  }
  throw wrongKey(what, kindOf(key));
}

/** What a secret is, without its content: errors never quote a key or passphrase. */
const kindOf = (value: unknown) => (value === null ? 'null' : typeof value === 'object' ? `a ${(value as object).constructor?.name ?? 'object'}` : `a ${typeof value}`);

/** The passphrase's UTF-8 bytes (NFC), checked. */
export function passphraseBytes(passphrase: unknown, what: string): Uint8Array {
  if (typeof passphrase !== 'string' || passphrase.length === 0) throw new TensorzipError('ARGUMENT', `${what}: expected a non-empty string, found ${typeof passphrase === 'string' ? 'an empty string' : kindOf(passphrase)}`);
  return utf8.encode(passphrase.normalize('NFC'));
}

/** The passphrase stretched to a 256-bit key, as HKDF input keying material. */
export async function passphraseKey(passphrase: Uint8Array, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  return importHkdf(await pbkdf2Sha256(passphrase, salt, iterations, 8 * SECRET_KEY_BYTES));
}

const SUBKEY_INFO = utf8.encode('tensorzip 1.4 chunk key');
const KEY_CHECK_INFO = utf8.encode('tensorzip 1.4 key check');

/** The archive's AES-256-GCM subkey and its key check, both HKDF-SHA256 of the master key with the archive id as
 *  salt: a new id (every archive) gives a new subkey. */
export async function archiveKeys(master: CryptoKey, archiveId: Uint8Array): Promise<{ subkey: GcmKey; keyCheck: Uint8Array }> {
  const [subkeyBytes, keyCheck] = await Promise.all([hkdfSha256(master, archiveId, SUBKEY_INFO, 256), hkdfSha256(master, archiveId, KEY_CHECK_INFO, 256)]);
  const subkey = await gcmKey(subkeyBytes);
  subkeyBytes.fill(0);
  return { subkey, keyCheck };
}

/**
 * A new random 256-bit key for pack's `encrypt` and open's `decrypt`, as a JWK of kty "oct" (store it as a secret).
 * @example
 * const key = generateSecretKey();
 * const bytes = await pack(tensors, { encrypt: { key } });
 * const archive = await open(bytes, { decrypt: { key } });
 */
export function generateSecretKey(): JsonWebKey {
  return { kty: 'oct', k: toBase64Url(crypto.getRandomValues(new Uint8Array(SECRET_KEY_BYTES))) };
}
