// Signed archives (docs/SECURITY.md): sign() and open(…, { publicKey, signature }) with Ed25519 and ECDSA P-256 keys
// as JWK, PEM and raw bytes; the RFC 8032 vector through the same JWK form; a wrong key, a missing signature, and
// every single-bit flip of a small signed archive or of its signature's payload give SIGNATURE, never data.
import { describe, expect, it } from 'vitest';
import { generateKeyPair, open, pack, sign } from '../src/index';
import { codeOf } from './helpers/errors';

const b64url = (hex: string) => btoa(String.fromCharCode(...hex.match(/../g)!.map((h) => parseInt(h, 16)))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromHex = (hex: string) => Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
// RFC 8032, 7.1, TEST 1 (the empty message).
const RFC = {
  secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  public: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signature: 'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
};
const rfcPrivate = { kty: 'OKP', crv: 'Ed25519', d: b64url(RFC.secret), x: b64url(RFC.public) };


const weights = Float32Array.from({ length: 3000 }, (_, i) => Math.sin(i));
const file = await pack({ w: { dtype: 'float32', shape: [3000], data: weights }, b: { dtype: 'int32', shape: [3], data: Int32Array.of(1, 2, 3) } }, { quantize: 'lossless' });

describe('signatures', () => {
  it('the RFC 8032 test vector, with the key in the JWK form sign() takes', async () => {
    const key = await crypto.subtle.importKey('jwk', rfcPrivate, { name: 'Ed25519' }, false, ['sign']);
    expect(new Uint8Array(await crypto.subtle.sign('Ed25519', key, new Uint8Array(0)))).toEqual(fromHex(RFC.signature));
    // Ed25519 is deterministic: the same file signed twice with the RFC key gives the same signature file, which
    // verifies with the RFC public key as raw bytes.
    const signature = await sign(file, rfcPrivate);
    expect(await sign(file, rfcPrivate)).toEqual(signature);
    const archive = await open(file, { publicKey: fromHex(RFC.public), signature });
    expect((await archive.get('w', { dtype: 'float32' })).data).toEqual(weights);
  });

  it('Ed25519 and ECDSA P-256 key pairs, as JWK and as PEM', async () => {
    for (const algorithm of ['Ed25519', 'ECDSA-P256'] as const) {
      const { publicKey, privateKey } = await generateKeyPair({ algorithm });
      expect(JSON.stringify(publicKey)).not.toContain('"d"');
      const signature = await sign(file, privateKey);
      expect((await (await open(file, { publicKey, signature })).get('b')).data).toEqual(Int32Array.of(1, 2, 3));
      const spki = new Uint8Array(await crypto.subtle.exportKey('spki', await crypto.subtle.importKey('jwk', publicKey, algorithm === 'Ed25519' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' }, true, ['verify'])));
      const pem = `-----BEGIN PUBLIC KEY-----\n${btoa(String.fromCharCode(...spki))}\n-----END PUBLIC KEY-----\n`;
      expect(await codeOf((await open(file, { publicKey: pem, signature })).getAll())).toBe('OK');
    }
  });

  it('a wrong key, a missing signature, and keys of the wrong kind', async () => {
    const signer = await generateKeyPair();
    const other = await generateKeyPair();
    const signature = await sign(file, signer.privateKey);
    expect(await codeOf(open(file, { publicKey: other.publicKey, signature }))).toBe('SIGNATURE');
    expect(await codeOf(open(file, { publicKey: signer.publicKey }))).toBe('SIGNATURE');
    expect(await codeOf(open(file, { publicKey: signer.privateKey, signature }))).toBe('ARGUMENT');
    expect(await codeOf(sign(file, signer.publicKey))).toBe('ARGUMENT');
    expect(await codeOf(sign(new Uint8Array(100), signer.privateKey))).toBe('ARGUMENT');
    const ecdsa = await generateKeyPair({ algorithm: 'ECDSA-P256' });
    expect(await codeOf(open(file, { publicKey: ecdsa.publicKey, signature }))).toBe('SIGNATURE');
  });

  it('every single-bit flip of a small signed archive, and of its signed payload, is SIGNATURE', async () => {
    const small = await pack({ t: { dtype: 'int32', shape: [4], data: Int32Array.of(7, 8, 9, 10) } }, { quantize: 'lossless' });
    const { publicKey, privateKey } = await generateKeyPair();
    const signature = await sign(small, privateKey, { blockBytes: 4096 });
    const results = new Map<string, number>();
    for (let bit = 0; bit < small.length * 8; bit++) {
      const flipped = small.slice();
      flipped[bit >> 3] ^= 1 << (bit & 7);
      const outcome = await codeOf(open(flipped, { publicKey, signature }).then((a) => a.getAll()));
      results.set(outcome, (results.get(outcome) ?? 0) + 1);
    }
    expect([...results.keys()]).toEqual(['SIGNATURE']);
    const payloadEnd = signature.indexOf(0x0a);
    const payload = new Set<string>();
    const line = new Set<string>();
    for (let at = 0; at < signature.length; at++) {
      for (const bit of at <= payloadEnd ? [0, 3, 6] : [1]) {
        const flipped = signature.slice();
        flipped[at] ^= 1 << bit;
        (at <= payloadEnd ? payload : line).add(await codeOf(open(small, { publicKey, signature: flipped }).then((a) => a.getAll())));
      }
    }
    expect([...payload]).toEqual(['SIGNATURE']);
    // A flip in the base64 line may land on bits the decoding ignores (a last character's unused bits): those give
    // the same signature bytes, and verify.
    expect([...line].filter((r) => r !== 'SIGNATURE' && r !== 'OK')).toEqual([]);
    expect(line.has('SIGNATURE')).toBe(true);
  });
});
