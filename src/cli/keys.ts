// `tensorzip keygen` and `tensorzip sign`, and the key files `verify --public-key` reads. Keys are written to files
// (the private one readable by its owner only) and never printed, in text or in --json output.
import { chmodSync } from 'node:fs';
import { generateKeyPair, sign, TensorzipError, type KeyInput } from '../index';
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

export async function keygenCommand(o: { output: string; algorithm: string; json?: boolean }): Promise<void> {
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
