// node:crypto where the runtime is Node ≥ 20.16, found through process.getBuiltinModule (no import: bundlers and
// browsers see nothing). Its synchronous AES-GCM and SHA-256 run the same OpenSSL code as Node's WebCrypto without a
// promise and a thread hop per call, which cost 60–250 µs in Node 20: per sealed piece and per signed block, that
// was most of the time of a decrypt or a verify (bench/sealed.bench.ts). Undefined in browsers and Deno (WebCrypto).

interface NodeGcm {
  update(data: Uint8Array): Uint8Array;
  final(): Uint8Array;
  setAAD(data: Uint8Array): unknown;
}

/** What tensorzip uses of node:crypto (typed here: the library has no Node types). */
export interface NodeCrypto {
  createCipheriv(algorithm: 'aes-256-gcm', key: Uint8Array, iv: Uint8Array, options: { authTagLength: number }): NodeGcm & { getAuthTag(): Uint8Array };
  createDecipheriv(algorithm: 'aes-256-gcm', key: Uint8Array, iv: Uint8Array, options: { authTagLength: number }): NodeGcm & { setAuthTag(tag: Uint8Array): unknown };
  createHash(algorithm: 'sha256'): { update(data: Uint8Array): { digest(): Uint8Array } };
}

function find(): NodeCrypto | undefined {
  const runtime = globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown }; Deno?: unknown };
  if (runtime.Deno !== undefined || runtime.process?.versions?.node === undefined) return undefined;
  const module = runtime.process.getBuiltinModule?.('node:crypto') as Partial<NodeCrypto> | undefined;
  return typeof module?.createDecipheriv === 'function' && typeof module.createHash === 'function' ? module as NodeCrypto : undefined;
}

export const NODE_CRYPTO = find();

/** SHA-256 of `bytes` without a promise, where node:crypto is (Node); else undefined. */
export const sha256Now = NODE_CRYPTO && ((bytes: Uint8Array): Uint8Array => new Uint8Array(NODE_CRYPTO!.createHash('sha256').update(bytes).digest()));

/** SHA-256 of `bytes`. */
export async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  if (sha256Now) return sha256Now(bytes);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
}
