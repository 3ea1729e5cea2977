// Signing keys through WebCrypto: Ed25519 where the runtime has it, ECDSA P-256 (SHA-256) everywhere; made by
// generateKeyPair, or imported from a CryptoKey, a JWK, PEM (SPKI public / PKCS#8 private) or raw public bytes.
import { TensorzipError } from '../errors';
import { describeValue } from '../codecs/describe-value';

export type SignatureAlgorithm = 'Ed25519' | 'ECDSA-P256';

/** A key as the caller has it. */
export type KeyInput = CryptoKey | JsonWebKey | string | Uint8Array;

const params = (algorithm: SignatureAlgorithm): EcKeyImportParams | Algorithm =>
  algorithm === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' };

export const signParams = (algorithm: SignatureAlgorithm): Algorithm | EcdsaParams =>
  algorithm === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', hash: 'SHA-256' };

/** Which algorithm a key is for. */
export function algorithmOf(key: CryptoKey): SignatureAlgorithm {
  if (key.algorithm.name === 'Ed25519') return 'Ed25519';
  if (key.algorithm.name === 'ECDSA' && (key.algorithm as EcKeyAlgorithm).namedCurve === 'P-256') return 'ECDSA-P256';
  throw new TensorzipError('ARGUMENT', `a signing key must be Ed25519 or ECDSA P-256, found ${key.algorithm.name}`);
}

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** The algorithm a JWK names: OKP Ed25519, or EC P-256. */
function jwkAlgorithm(jwk: JsonWebKey): SignatureAlgorithm {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'Ed25519';
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ECDSA-P256';
  throw new TensorzipError('ARGUMENT', `a signing key must be an Ed25519 (OKP) or P-256 (EC) JWK, found kty ${describeValue(jwk.kty)} crv ${describeValue(jwk.crv)}`);
}

/**
 * A CryptoKey for signing (`use: 'private'`) or verifying (`'public'`). PEM is tried as Ed25519, then as P-256;
 * raw bytes are a public key (32 bytes: Ed25519; 65: an uncompressed P-256 point).
 */
export async function importKey(key: KeyInput, use: 'public' | 'private', what: string): Promise<CryptoKey> {
  const usages: KeyUsage[] = [use === 'private' ? 'sign' : 'verify'];
  try {
    if (typeof CryptoKey !== 'undefined' && key instanceof CryptoKey) {
      if (key.type !== use) throw new TensorzipError('ARGUMENT', `${what}: expected a ${use} key, found a ${key.type} key`);
      algorithmOf(key);
      return key;
    }
    if (key instanceof Uint8Array) {
      if (use !== 'public') throw new TensorzipError('ARGUMENT', `${what}: a private key as raw bytes is not taken; give a JWK or PKCS#8 PEM`);
      const algorithm: SignatureAlgorithm = key.length === 32 ? 'Ed25519' : 'ECDSA-P256';
      return await crypto.subtle.importKey('raw', key as Uint8Array<ArrayBuffer>, params(algorithm), true, usages);
    }
    if (typeof key === 'string') {
      const pem = /-----BEGIN (PUBLIC KEY|PRIVATE KEY)-----([\s\S]*?)-----END \1-----/.exec(key);
      if (!pem) throw new TensorzipError('ARGUMENT', `${what}: a key given as text must be PEM (BEGIN PUBLIC KEY or BEGIN PRIVATE KEY)`);
      if ((pem[1] === 'PUBLIC KEY') !== (use === 'public')) throw new TensorzipError('ARGUMENT', `${what}: expected a ${use} key, found a ${pem[1].toLowerCase()}`);
      const der = fromBase64(pem[2].replace(/\s+/g, ''));
      const format = use === 'public' ? 'spki' : 'pkcs8';
      for (const algorithm of ['Ed25519', 'ECDSA-P256'] as const) {
        try {
          return await crypto.subtle.importKey(format, der, params(algorithm), true, usages);
        } catch {
          // the other algorithm
        }
      }
      throw new TensorzipError('ARGUMENT', `${what}: the PEM key is neither Ed25519 nor P-256`);
    }
    if (typeof key === 'object' && key !== null && 'kty' in key) {
      if ((use === 'private') !== ('d' in key)) throw new TensorzipError('ARGUMENT', `${what}: expected a ${use} JWK`);
      const { key_ops: _ops, use: _use, ...jwk } = key;
      return await crypto.subtle.importKey('jwk', jwk, params(jwkAlgorithm(key)), true, usages);
    }
  } catch (cause) {
    if (cause instanceof TensorzipError) throw cause;
    throw new TensorzipError('ARGUMENT', `${what}: the key could not be imported (${(cause as Error).message})`, { cause });
  }
  throw new TensorzipError('ARGUMENT', `${what}: expected a CryptoKey, a JWK, a PEM string or raw public key bytes, found ${describeValue(key)}`);
}

/**
 * A new key pair as JWKs (store the private one as a secret; publish the public one). Ed25519 by default.
 * @example
 * const { publicKey, privateKey } = await generateKeyPair();
 */
export async function generateKeyPair(options: { algorithm?: SignatureAlgorithm } = {}): Promise<{ publicKey: JsonWebKey; privateKey: JsonWebKey }> {
  const algorithm = options.algorithm ?? 'Ed25519';
  if (algorithm !== 'Ed25519' && algorithm !== 'ECDSA-P256') throw new TensorzipError('ARGUMENT', `generateKeyPair algorithm: expected 'Ed25519' or 'ECDSA-P256', found ${describeValue(algorithm)}`);
  let pair: CryptoKeyPair;
  try {
    pair = (await crypto.subtle.generateKey(params(algorithm) as EcKeyGenParams, true, ['sign', 'verify'])) as CryptoKeyPair;
  } catch (cause) {
    throw new TensorzipError('UNSUPPORTED', `generateKeyPair: this runtime's WebCrypto has no ${algorithm} (try 'ECDSA-P256')`, { cause });
  }
  return { publicKey: await crypto.subtle.exportKey('jwk', pair.publicKey), privateKey: await crypto.subtle.exportKey('jwk', pair.privateKey) };
}
