// `tensorzip keygen` and `tensorzip sign`, and the key files `verify --public-key`, `--key-file` and
// `--passphrase-file` read. Keys are written to files (secret ones readable by their owner only) and never printed,
// in text or in --json output.
import { chmodSync } from 'node:fs';
import { generateKeyPair, generateSecretKey, sign, TensorzipError, type DecryptOptions, type KeyInput, type SecretKeyInput } from '../index';
import { readFile, writeFileAtomic } from './files';

/** A key file: a JWK (JSON) or PEM text. */
export function readKey(path: string): KeyInput {
  const text = new TextDecoder().decode(readFile(path)).trim();
  if (!text.startsWith('{')) return text;
  try {
    return JSON.parse(text) as JsonWebKey;
  } catch (cause) {
    throw new TensorzipError('ARGUMENT', `${path}: not a JWK (JSON) or PEM key`, { cause });
  }
}

/** A secret key file: a JWK of kty "oct" (keygen --symmetric), or the key's 32 raw bytes. */
export function readSecretKey(path: string): SecretKeyInput {
  const bytes = readFile(path);
  if (bytes.length === 32) return bytes;
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as JsonWebKey;
  } catch (cause) {
    throw new TensorzipError('ARGUMENT', `${path}: not a JWK (JSON) or 32 raw bytes`, { cause });
  }
}

/** A passphrase file's text, without the one line break that ends it. */
export function readPassphrase(path: string): string {
  return new TextDecoder().decode(readFile(path)).replace(/\r?\n$/, '');
}

/** --key-file / --passphrase-file (--encrypt-key-file for pack) as open's decrypt and pack's encrypt: at most one. */
export function secretOf(o: { keyFile?: string; passphraseFile?: string }, keyFlag = '--key-file'): DecryptOptions | undefined {
  if (o.keyFile !== undefined && o.passphraseFile !== undefined) throw new TensorzipError('ARGUMENT', `${keyFlag} and --passphrase-file do not go together`);
  if (o.keyFile !== undefined) return { key: readSecretKey(o.keyFile) };
  if (o.passphraseFile !== undefined) return { passphrase: readPassphrase(o.passphraseFile) };
  return undefined;
}

export async function keygenCommand(o: { output: string; algorithm: string; symmetric?: boolean; json?: boolean }): Promise<void> {
  if (o.symmetric) {
    const path = `${o.output}.key.jwk`;
    writeFileAtomic(path, new TextEncoder().encode(`${JSON.stringify(generateSecretKey())}\n`));
    chmodSync(path, 0o600);
    process.stdout.write(o.json ? `${JSON.stringify({ algorithm: 'AES-256-GCM', key: path })}\n` : `secret key (AES-256-GCM archives): ${path} (keep it secret)\n`);
    return;
  }
  const algorithm = o.algorithm === 'ed25519' ? 'Ed25519' : o.algorithm === 'p256' ? 'ECDSA-P256' : null;
  if (algorithm === null) throw new TensorzipError('ARGUMENT', `--algorithm: expected ed25519 or p256, found "${o.algorithm}"`);
  const { publicKey, privateKey } = await generateKeyPair({ algorithm });
  const privatePath = `${o.output}.private.jwk`;
  const publicPath = `${o.output}.public.jwk`;
  writeFileAtomic(privatePath, new TextEncoder().encode(`${JSON.stringify(privateKey)}\n`));
  chmodSync(privatePath, 0o600);
  writeFileAtomic(publicPath, new TextEncoder().encode(`${JSON.stringify(publicKey)}\n`));
  const summary = { algorithm, privateKey: privatePath, publicKey: publicPath };
  process.stdout.write(o.json ? `${JSON.stringify(summary)}\n` : `${algorithm} key pair: ${privatePath} (keep it secret), ${publicPath}\n`);
}

export async function signCommand(input: string, o: { key: string; output?: string; json?: boolean }): Promise<void> {
  const output = o.output ?? `${input}.sig`;
  const signature = await sign(readFile(input), readKey(o.key));
  writeFileAtomic(output, signature);
  process.stdout.write(o.json ? `${JSON.stringify({ input, signature: output, bytes: signature.length })}\n` : `${output}: signature of ${input}\n`);
}
