// Encrypted archives (docs/FORMAT.md, Encrypted archives): the primitives against published vectors (NIST CAVP
// AES-256-GCM through the function every sealed piece goes through, FIPS 180-2 SHA-256, RFC 5869 HKDF, RFC 7914
// PBKDF2-HMAC-SHA256); round trips checked against the same archive unencrypted; every single-bit flip; chunks swapped,
// reordered, cut or replayed from another archive under the same key; wrong keys and passphrases.
import { describe, expect, it } from 'vitest';
import { createShardedWriter, createWriter, generateKeyPair, generateSecretKey, open, pack, sign, type Archive, type PackOptions, type TensorInput } from '../src/index';
import { aesGcmOpen, aesGcmSeal, gcmKey } from '../src/format/aes-gcm';
import { sha256 } from '../src/format/node-crypto';
import { hkdfSha256, pbkdf2Sha256 } from '../src/format/seal-keys';
import { codeOf } from './helpers/errors';
import { incompressible, random } from './helpers/data';
import { referenceXxh32 } from './reference/xxh32';

const hex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const utf8 = (text: string) => new TextEncoder().encode(text);
const key = generateSecretKey();
const FAST = 100_000; // the least PBKDF2 cost a writer takes: passphrase tests stay quick

// NIST CAVP gcmEncryptExtIV256.rsp (Keylen 256, IVlen 96, Taglen 128): ciphertext ‖ tag.
const NIST = [
  { key: 'b52c505a37d78eda5dd34f20c22540ea1b58963cf8e5bf8ffa85f9f2492505b4', iv: '516c33929df5a3284ff463d7', pt: '', aad: '', out: 'bdc1ac884d332457a1d2664f168c76f0' },
  { key: '460fc864972261c2560e1eb88761ff1c992b982497bd2ac36c04071cbb8e5d99', iv: '8a4a16b9e210eb68bcb6f58d', pt: '99e4e926ffe927f691893fb79a96b067', aad: '', out: '133fc15751621b5f325c7ff71ce08324ec4e87e0cf74a13618d0b68636ba9fa7' },
  { key: '92e11dcdaa866f5ce790fd24501f92509aacf4cb8b1339d50c9c1240935dd08b', iv: 'ac93a1a6145299bde902f21a', pt: '2d71bcfa914e4ac045b2aa60955fad24', aad: '1e0889016f67601c8ebea4943bc23ad6', out: '8995ae2e6df3dbf96fac7b7137bae67feca5aa77d51d4a0a14d9c51e1da474ab' },
  {
    key: '1fded32d5999de4a76e0f8082108823aef60417e1896cf4218a2fa90f632ec8a', iv: '1f3afa4711e9474f32e70462', aad: '',
    pt: '06b2c75853df9aeb17befd33cea81c630b0fc53667ff45199c629c8e15dce41e530aa792f796b8138eeab2e86c7b7bee1d40b0',
    out: '91fbd061ddc5a7fcc9513fcdfdc9c3a7c5d4d64cedf6a9c24ab8a77c36eefbf1c5dc00bc50121b96456c8cd8b6ff1f8b3e480f30096d340f3d5c42d82a6f475def23eb',
  },
];

/** The same tensors, every kind pack stores: lossless floats and integers, int8 with scales, float16, TF.js codes,
 *  bool, an empty tensor, several chunks, and two tensors sharing their chunks. */
function tensors(): Record<string, TensorInput> {
  const next = random(7);
  const floats = Float32Array.from({ length: 6000 }, () => next() * 2 - 1);
  return {
    lossless: { dtype: 'float32', shape: [6000], data: floats },
    twin: { dtype: 'float32', shape: [6000], data: floats.slice() },
    int8: { dtype: 'float32', shape: [60, 100], data: floats.slice() },
    half: { dtype: 'float32', shape: [6000], data: floats.map((x) => Math.round(x * 64) / 64) },
    ids: { dtype: 'int64', shape: [3], data: BigInt64Array.of(1n, -2n, 2n ** 40n) },
    flags: { dtype: 'bool', shape: [5], data: Uint8Array.of(1, 0, 1, 1, 0) },
    empty: { dtype: 'float32', shape: [0, 4], data: new Float32Array(0) },
    bytes: { dtype: 'uint8', shape: [3 * 4096], data: incompressible(3 * 4096, 9) },
  };
}
const PACK: PackOptions = {
  quantize: 'lossless', rules: [{ match: 'int8', quantize: 'int8' }], chunkBytes: 4096,
  entries: { 'config.json': { data: utf8('{"a":1}'), mediaType: 'application/json' } },
};

async function everything(archive: Archive) {
  const out: Record<string, unknown> = {};
  for (const t of archive.tensors) out[t.name] = await archive.get(t.name);
  out['config.json'] = await archive.getEntry('config.json');
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const file = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (file.set(p, at), at + p.length), 0);
  return file;
}

async function written(options: PackOptions): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const writer = createWriter({ write: (b: Uint8Array) => void parts.push(b.slice()) }, options);
  for (const [name, t] of Object.entries(tensors())) await writer.add(name, t);
  await writer.addEntry('config.json', utf8('{"a":1}'), { mediaType: 'application/json' });
  await writer.finish();
  return concat(parts);
}

/** Where the footer says the index is. */
function indexOf(file: Uint8Array): { offset: number; length: number } {
  const view = new DataView(file.buffer, file.byteOffset + file.length - 32, 32);
  return { offset: Number(view.getBigUint64(0, true)), length: Number(view.getBigUint64(8, true)) };
}

/** `file` with its index's bytes replaced in place (and its seal header, when given), every xxh32 of the prefix and
 *  the footer made right again, so that only the cryptography can notice. `stored` must fit before the first chunk. */
function withIndex(file: Uint8Array, stored: Uint8Array, header?: Uint8Array): Uint8Array {
  const { offset, length } = indexOf(file);
  const out = file.slice();
  out.fill(0, offset, offset + length);
  out.set(stored, offset);
  if (header) out.set(header, 32);
  const view = new DataView(out.buffer);
  view.setBigUint64(16, BigInt(stored.length), true);
  view.setUint32(24, referenceXxh32(stored), true);
  view.setUint32(28, referenceXxh32(out.subarray(0, 28)), true);
  const footer = out.length - 32;
  view.setBigUint64(footer + 8, BigInt(stored.length), true);
  view.setUint32(footer + 16, referenceXxh32(stored), true);
  view.setUint32(footer + 24, referenceXxh32(out.subarray(footer, footer + 24)), true);
  return out;
}

describe('the primitives, against published vectors', () => {
  it('AES-256-GCM: NIST CAVP vectors through the sealing function, and a changed tag is SIGNATURE', async () => {
    for (const v of NIST) {
      const key = await gcmKey(hex(v.key));
      const sealed = await aesGcmSeal(key, hex(v.iv), hex(v.aad), hex(v.pt));
      expect(toHex(sealed)).toBe(v.out);
      expect(toHex(await aesGcmOpen(key, hex(v.iv), hex(v.aad), hex(v.out), 'a vector'))).toBe(v.pt);
      const changed = hex(v.out);
      changed[changed.length - 1] ^= 1;
      expect(await codeOf(aesGcmOpen(key, hex(v.iv), hex(v.aad), changed, 'a vector'))).toBe('SIGNATURE');
    }
  });

  it('AES-256-GCM: pieces of every size, with and without additional data, agree with WebCrypto called directly both ways (Node seals with node:crypto)', async () => {
    const bytes = incompressible(32, 5);
    const direct = await crypto.subtle.importKey('raw', bytes as Uint8Array<ArrayBuffer>, 'AES-GCM', false, ['encrypt', 'decrypt']);
    const codec = await gcmKey(bytes);
    for (const size of [0, 1, 15, 16, 17, 4095, 4096, 70_001]) {
      for (const aad of [new Uint8Array(0), incompressible(45, size)]) {
        const iv = incompressible(12, size + 1);
        const plaintext = incompressible(size, size + 2);
        const params = { name: 'AES-GCM', iv: iv as Uint8Array<ArrayBuffer>, additionalData: aad as Uint8Array<ArrayBuffer>, tagLength: 128 };
        const sealed = await aesGcmSeal(codec, iv, aad, plaintext);
        expect(toHex(sealed)).toBe(toHex(new Uint8Array(await crypto.subtle.encrypt(params, direct, plaintext as Uint8Array<ArrayBuffer>))));
        expect(toHex(new Uint8Array(await crypto.subtle.decrypt(params, direct, sealed as Uint8Array<ArrayBuffer>)))).toBe(toHex(plaintext));
        const opened = await aesGcmOpen(codec, iv, aad, sealed, 'a piece');
        expect(opened.byteOffset === 0 && opened.byteLength === opened.buffer.byteLength).toBe(true);
        expect(toHex(opened)).toBe(toHex(plaintext));
        const moved = sealed.slice();
        moved[size >> 1] ^= 0x80;
        expect(await codeOf(aesGcmOpen(codec, iv, aad, moved, 'a piece'))).toBe('SIGNATURE');
        expect(await codeOf(aesGcmOpen(codec, iv, aad, sealed.subarray(0, 15), 'a piece'))).toBe('CORRUPT');
      }
    }
  });

  it('SHA-256 (block hashes of signatures and caches): FIPS 180-2 examples', async () => {
    expect(toHex(await sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(await sha256(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(await sha256(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
    expect(toHex(await sha256(new Uint8Array(1_000_000).fill(0x61)))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('HKDF-SHA256: RFC 5869 test case 1', async () => {
    const ikm = await crypto.subtle.importKey('raw', new Uint8Array(22).fill(0x0b), 'HKDF', false, ['deriveBits']);
    const okm = await hkdfSha256(ikm, hex('000102030405060708090a0b0c'), hex('f0f1f2f3f4f5f6f7f8f9'), 42 * 8);
    expect(toHex(okm)).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  });

  it('PBKDF2-HMAC-SHA256: RFC 7914 section 11', async () => {
    expect(toHex(await pbkdf2Sha256(utf8('passwd'), utf8('salt'), 1, 512)))
      .toBe('55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783');
    expect(toHex(await pbkdf2Sha256(utf8('Password'), utf8('NaCl'), 80_000, 512)))
      .toBe('4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d');
  });
});

describe('encrypted archives', () => {
  it('decode exactly as the same archive unencrypted: pack and the streaming writer, a key or a passphrase, the index private or public', async () => {
    const plain = await everything(await open(await pack(tensors(), PACK)));
    const files = [
      await pack(tensors(), { ...PACK, encrypt: { key } }),
      await pack(tensors(), { ...PACK, compact: false, encrypt: { key, publicIndex: true } }),
      await written({ ...PACK, encrypt: { passphrase: 'correct horse', iterations: FAST } }),
      await written({ ...PACK, encrypt: { key, publicIndex: true } }),
    ];
    for (const [k, file] of files.entries()) {
      // Flag bit 2: encrypted (1.4). The streaming writer's files are 1.6 (its prefix goes out before any pipeline).
      expect([file[4], file[5], file[6] & 4]).toEqual([1, k < 2 ? 4 : 6, 4]);
      const decrypt = k === 2 ? { passphrase: 'correct horse' } : { key };
      const archive = await open(file, { decrypt });
      expect(await everything(archive)).toEqual(plain);
      const streamed = [];
      for await (const { name, tensor } of archive.stream()) streamed.push([name, tensor]);
      expect(Object.fromEntries(streamed)).toEqual(Object.fromEntries(Object.entries(plain).filter(([n]) => n !== 'config.json')));
      expect((await archive.getCodes('half')).quantized.data).toEqual((await (await open(await pack(tensors(), PACK))).getCodes('half')).quantized.data);
    }
    // The private index hides the names; the public one shows them.
    const text = (bytes: Uint8Array) => new TextDecoder('latin1').decode(bytes);
    expect(text(files[0])).not.toContain('lossless');
    expect(text(files[1])).toContain('"name":"lossless"');
    // Keys as raw bytes, an extractable AES key and an HKDF key open it too.
    const raw = Uint8Array.from(atob(key.k!.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
    const aes = await crypto.subtle.importKey('raw', raw, 'AES-GCM', true, ['encrypt']);
    const hkdf = await crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveBits']);
    for (const given of [raw, aes, hkdf]) expect(await everything(await open(files[0], { decrypt: { key: given } }))).toEqual(plain);
  });

  it('a sharded archive: every shard sealed on its own (its own id), opened through its shard index with one key', async () => {
    const files: Record<string, Uint8Array> = {};
    const writer = createShardedWriter((path) => {
      const parts: Uint8Array[] = [];
      return { write: (b: Uint8Array) => void parts.push(b.slice()), close: () => void (files[path] = concat(parts)) };
    }, { shardBytes: 20_000, quantize: 'lossless', encrypt: { key } });
    const all = tensors();
    for (const [name, t] of Object.entries(all)) await writer.add(name, t);
    const index = await writer.finish();
    const shards = Object.values(files);
    expect(shards.length).toBeGreaterThan(1);
    expect(new Set(shards.map((f) => toHex(f.subarray(32 + 24, 32 + 40)))).size).toBe(shards.length); // archive ids
    const archive = await open(index, { shardSource: (path: string) => files[path], decrypt: { key } });
    const plain = await open(await pack(all, { quantize: 'lossless' }));
    for (const t of plain.tensors) expect(await archive.get(t.name)).toEqual(await plain.get(t.name));
    expect(await codeOf(open(index, { shardSource: (path: string) => files[path] }))).toBe('ARGUMENT');
  });

  it('getAll() (which decrypts chunks ahead of the decoder) gives what get() gives, also beside a get() of its own', async () => {
    const file = await pack(tensors(), { ...PACK, encrypt: { key } });
    const plain = await everything(await open(await pack(tensors(), PACK)));
    delete plain['config.json'];
    const archive = await open(file, { decrypt: { key } });
    const copies = (all: Record<string, { data: ArrayLike<unknown> }>) => Object.fromEntries(Object.entries(all).map(([n, t]) => [n, { ...t, data: Array.from(t.data) }]));
    const expected = copies(plain as never);
    expect(copies(await archive.getAll())).toEqual(expected);
    const [all] = await Promise.all([archive.getAll(), ...archive.tensors.map((t) => archive.get(t.name))]);
    expect(copies(all)).toEqual(expected);
  });

  it('decode with workers (decrypted on the calling thread) and after a signature check', async () => {
    const file = await pack(tensors(), { ...PACK, encrypt: { key } });
    const plain = await everything(await open(await pack(tensors(), PACK)));
    const pooled = await open(file, { decrypt: { key }, workers: 1 });
    try {
      expect(Object.fromEntries(Object.entries(await pooled.getAll()).map(([n, t]) => [n, { ...t, data: t.data.slice() }]))).toEqual(
        Object.fromEntries(Object.entries(plain).filter(([n]) => n !== 'config.json')));
    } finally {
      pooled.close();
    }
    const { publicKey, privateKey } = await generateKeyPair({ algorithm: 'ECDSA-P256' });
    const signature = await sign(file, privateKey);
    expect(await everything(await open(file, { decrypt: { key }, publicKey, signature }))).toEqual(plain);
    const changed = file.slice();
    changed[changed.length >> 1] ^= 4;
    expect(await codeOf(open(changed, { decrypt: { key }, publicKey, signature }).then(everything))).toBe('SIGNATURE');
  });

  it('a wrong key or passphrase, no decrypt, decrypt for a plain archive, and keys of the wrong kind', async () => {
    const keyed = await pack(tensors(), { ...PACK, encrypt: { key } });
    const phrased = await pack(tensors(), { ...PACK, encrypt: { passphrase: 'sesame', iterations: FAST } });
    expect(await codeOf(open(keyed, { decrypt: { key: generateSecretKey() } }))).toBe('SIGNATURE');
    expect(await codeOf(open(phrased, { decrypt: { passphrase: 'Sesame' } }))).toBe('SIGNATURE');
    expect(await codeOf(open(keyed))).toBe('ARGUMENT');
    expect(await codeOf(open(await pack(tensors(), PACK), { decrypt: { key } }))).toBe('SIGNATURE');
    expect(await codeOf(open(phrased, { decrypt: { key } }))).toBe('ARGUMENT');
    expect(await codeOf(open(keyed, { decrypt: { key, passphrase: 'x' } }))).toBe('ARGUMENT');
    expect(await codeOf(open(keyed, { decrypt: { key: new Uint8Array(31) } }))).toBe('ARGUMENT');
    const locked = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt']);
    expect(await codeOf(open(keyed, { decrypt: { key: locked } }))).toBe('ARGUMENT');
    expect(await codeOf(pack(tensors(), { encrypt: { passphrase: '' } }))).toBe('ARGUMENT');
    expect(await codeOf(pack(tensors(), { encrypt: { passphrase: 'x', iterations: 1000 } }))).toBe('ARGUMENT');
    expect(await codeOf(pack(tensors(), { encrypt: {} }))).toBe('ARGUMENT');
    // A secret given in the wrong form is never quoted in the error.
    const error = await open(keyed, { decrypt: { key: 'hunter2 is my password' as never } }).catch((e: Error) => e);
    expect([(error as { code?: string }).code, (error as Error).message.includes('hunter2')]).toEqual(['ARGUMENT', false]);
  });

  it('hostile seal headers, checksums right: their own codes, checked before the caller is blamed', async () => {
    const phrased = await pack(tensors(), { ...PACK, encrypt: { passphrase: 'sesame', iterations: FAST } });
    const edited = (file: Uint8Array, at: number, bytes: number[], fixHeader = true) => {
      const out = file.slice();
      out.set(bytes, at);
      const view = new DataView(out.buffer);
      view.setUint32(28, referenceXxh32(out.subarray(0, 28)), true);
      if (fixHeader) view.setUint32(32 + 76, referenceXxh32(out.subarray(32, 32 + 76)), true);
      return out;
    };
    const decrypt = { passphrase: 'sesame' };
    expect(await codeOf(open(edited(phrased, 32 + 4, [0x81, 0x96, 0x98, 0]), { decrypt }))).toBe('LIMIT'); // 10,000,001 iterations
    expect(await codeOf(open(edited(phrased, 32 + 4, [0, 0, 0, 0]), { decrypt }))).toBe('CORRUPT');
    expect(await codeOf(open(edited(phrased, 32, [2]), { decrypt }))).toBe('UNSUPPORTED'); // another cipher suite
    expect(await codeOf(open(edited(phrased, 32 + 1, [7])))).toBe('UNSUPPORTED'); // another key kind, no decrypt
    expect(await codeOf(open(edited(phrased, 32 + 3, [1])))).toBe('CORRUPT');
    expect(await codeOf(open(edited(phrased, 32 + 8, [1]), { decrypt }))).toBe('SIGNATURE'); // another salt: another key
    // A plain archive whose flags claim encryption: its index is no seal header (nor with that header's checksum made
    // right: its first byte names no cipher suite).
    const plain = await pack(tensors(), PACK);
    expect(await codeOf(open(edited(plain, 6, [plain[6] | 4], false)))).toBe('CHECKSUM');
    expect(await codeOf(open(edited(plain, 6, [plain[6] | 4])))).toBe('UNSUPPORTED');
  });

  it('every single-bit flip of a small encrypted archive is refused (SIGNATURE in a chunk), never wrong data', async () => {
    const small = { t: { dtype: 'int32' as const, shape: [4], data: Int32Array.of(7, 8, 9, 10) }, u: { dtype: 'float32' as const, shape: [3], data: Float32Array.of(0.5, -1, 2) } };
    const values = async (archive: Archive) => {
      const out = [];
      for (const t of archive.tensors) out.push([t.name, Array.from((await archive.get(t.name)).data as Int32Array)]);
      return JSON.stringify(out);
    };
    const expected = JSON.stringify(Object.entries(small).map(([n, t]) => [n, Array.from(t.data)]));
    // The default (compact) layout, and a public index with 64-byte alignment, whose zero padding no range covers.
    for (const options of [{ encrypt: { key } }, { compact: false, encrypt: { key, publicIndex: true } }] as PackOptions[]) {
      const file = await pack(small, { quantize: 'lossless', ...options });
      const { offset, length } = indexOf(file);
      const ranges = options.compact === false
        ? (JSON.parse(new TextDecoder().decode(file.subarray(offset, offset + length - 16))).tensors as { chunks: number[][] }[]).flatMap((t) => t.chunks)
        : [[offset + length, file.length - 32 - offset - length]];
      const inChunk = (at: number) => ranges.some(([from, n]) => at >= from && at < from + n);
      const isPadding = (at: number) => at >= offset + length && at < file.length - 32 && !inChunk(at);
      const seen = { chunks: new Set<string>(), padding: new Set<string>(), rest: new Set<string>() };
      for (let bit = 0; bit < file.length * 8; bit++) {
        const flipped = file.slice();
        flipped[bit >> 3] ^= 1 << (bit & 7);
        const outcome = await codeOf(open(flipped, { decrypt: { key } }).then(values).then((v) => {
          if (v !== expected) throw new Error('wrong data');
        }));
        const at = bit >> 3;
        seen[inChunk(at) ? 'chunks' : isPadding(at) ? 'padding' : 'rest'].add(outcome);
      }
      expect([...seen.chunks]).toEqual(['SIGNATURE']);
      expect([...seen.rest].filter((o) => !['SIGNATURE', 'CHECKSUM', 'CORRUPT', 'TRUNCATED', 'UNSUPPORTED'].includes(o))).toEqual([]);
      // Padding holds no data: the tensors still decode to their values.
      expect([...seen.padding]).toEqual(options.compact === false ? ['OK'] : []);
    }
  });

  it('chunks swapped or reordered, an index edited or cut, and an index or chunk replayed from another archive under the same key: SIGNATURE', async () => {
    // Three tensors of three 4 KiB chunks each, stored as they are (incompressible): every chunk is as long as every other.
    const same = (seed: number) => Object.fromEntries(['a', 'b', 'c'].map((n, k) => [n, { dtype: 'uint8' as const, shape: [3 * 4096], data: incompressible(3 * 4096, seed + k) }]));
    const options: PackOptions = { quantize: 'lossless', chunkBytes: 4096, compact: false, encrypt: { key, publicIndex: true } };
    const file = await pack(same(1), options);
    const json = new TextDecoder().decode(file.subarray(indexOf(file).offset, indexOf(file).offset + indexOf(file).length - 16));
    const chunks = (JSON.parse(json).tensors as { name: string; chunks: number[][] }[]).map((t) => t.chunks);
    const swap = (bytes: Uint8Array, x: number[], y: number[]) => {
      const out = bytes.slice();
      out.set(bytes.subarray(x[0], x[0] + x[1]), y[0]);
      out.set(bytes.subarray(y[0], y[0] + y[1]), x[0]);
      return out;
    };
    const getA = (bytes: Uint8Array) => codeOf(open(bytes, { decrypt: { key } }).then((a) => a.get('a')));
    expect(await getA(file)).toBe('OK');
    expect(await getA(swap(file, chunks[0][0], chunks[1][0]))).toBe('SIGNATURE'); // across tensors
    expect(await getA(swap(file, chunks[0][0], chunks[0][1]))).toBe('SIGNATURE'); // within a tensor
    // getAll() fails, and stream() gives the tensors before the damaged one, then fails.
    expect(await codeOf(open(swap(file, chunks[2][0], chunks[2][2]), { decrypt: { key } }).then((x) => x.getAll()))).toBe('SIGNATURE');
    const streamed: string[] = [];
    const streaming = open(swap(file, chunks[2][0], chunks[2][2]), { decrypt: { key } }).then(async (x) => {
      for await (const { name } of x.stream()) streamed.push(name);
    });
    expect([await codeOf(streaming), streamed]).toEqual(['SIGNATURE', ['a', 'b']]);
    // The public index: two tensors' names swapped, and the last tensor blanked out (the checksums made right).
    const { offset, length } = indexOf(file);
    const tag = file.subarray(offset + length - 16, offset + length);
    const edited = (text: string) => withIndex(file, new Uint8Array([...utf8(text), ...tag]));
    expect(await getA(edited(json))).toBe('OK');
    expect(await getA(edited(json.replace('"name":"a"', '"name":"#"').replace('"name":"b"', '"name":"a"').replace('"name":"#"', '"name":"b"')))).toBe('SIGNATURE');
    const last = json.lastIndexOf(',{"name":"c"');
    expect(await getA(edited(json.slice(0, last) + ' '.repeat(json.length - 2 - last) + ']}'))).toBe('SIGNATURE');

    // Replays: a second archive of other values laid out alike, under the same key.
    const other = await pack(same(11), options);
    const otherIndex = other.subarray(indexOf(other).offset, indexOf(other).offset + indexOf(other).length);
    const otherJson = new TextDecoder().decode(otherIndex.subarray(0, otherIndex.length - 16));
    expect((JSON.parse(otherJson).tensors as { chunks: number[][] }[]).map((t) => t.chunks.map((c) => c.slice(0, 2)))).toEqual(chunks.map((t) => t.map((c) => c.slice(0, 2))));
    expect(otherJson).not.toBe(json);
    expect(await getA(withIndex(file, otherIndex))).toBe('SIGNATURE'); // its index: another archive id, another subkey
    expect(await getA(withIndex(file, otherIndex, other.subarray(32, 112)))).toBe('SIGNATURE'); // with its header too: the chunks are this archive's
    expect(await getA(swapFrom(file, other, chunks[0][0]))).toBe('SIGNATURE'); // one of its chunks
    // Cut short: the last tensor's chunks gone, the footer kept.
    const cut = new Uint8Array([...file.subarray(0, chunks[2][0][0]), ...file.subarray(file.length - 32)]);
    expect(['CORRUPT', 'TRUNCATED']).toContain(await codeOf(open(cut, { decrypt: { key } })));
  });
});

/** `file` with the range `r` taken from `other`. */
function swapFrom(file: Uint8Array, other: Uint8Array, r: number[]): Uint8Array {
  const out = file.slice();
  out.set(other.subarray(r[0], r[0] + r[1]), r[0]);
  return out;
}
