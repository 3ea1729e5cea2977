// `tensorzip keygen`, `sign` and `verify --public-key`: keys go to files (the private one owner-only) and never to
// the output; a signed file verifies; a changed byte, another key or a missing signature exit 1 with SIGNATURE.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { pack } from '../src/index';
import { cli } from './helpers/cli';

it('keygen, sign, verify; tampering, another key and no signature fail with SIGNATURE', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tzip-sign-'));
  const file = join(dir, 'model.tzip');
  writeFileSync(file, await pack({ w: { dtype: 'float32', shape: [2000], data: Float32Array.from({ length: 2000 }, (_, i) => Math.cos(i)) } }, { quantize: 'lossless' }));
  const keygen = await cli('keygen', '-o', join(dir, 'me'), '--json');
  expect(keygen.code).toBe(0);
  const privateKey = JSON.parse(readFileSync(join(dir, 'me.private.jwk'), 'utf8'));
  expect(privateKey.d).toBeTruthy();
  expect(keygen.stdout + keygen.stderr).not.toContain(privateKey.d);
  expect(keygen.stdout + keygen.stderr).not.toContain(privateKey.x);
  expect(statSync(join(dir, 'me.private.jwk')).mode & 0o077).toBe(0);

  const signed = await cli('sign', file, '--key', join(dir, 'me.private.jwk'), '--json');
  expect(signed.code).toBe(0);
  expect(signed.stdout).not.toContain(privateKey.d);
  const verify = await cli('verify', file, '--public-key', join(dir, 'me.public.jwk'), '--json');
  expect(verify.code).toBe(0);
  expect(JSON.parse(verify.stdout).signature).toBe('verified');

  const other = await cli('keygen', '-o', join(dir, 'other'), '--algorithm', 'p256');
  expect(other.code).toBe(0);
  const wrong = await cli('verify', file, '--public-key', join(dir, 'other.public.jwk'), '--json');
  expect(wrong.code).toBe(1);
  expect(JSON.parse(wrong.stderr).code).toBe('SIGNATURE');

  const bytes = readFileSync(file);
  bytes[bytes.length >> 1] ^= 0x10;
  const tampered = join(dir, 'tampered.tzip');
  writeFileSync(tampered, bytes);
  const changed = await cli('verify', tampered, '--public-key', join(dir, 'me.public.jwk'), '--signature', `${file}.sig`, '--json');
  expect(changed.code).toBe(1);
  expect(JSON.parse(changed.stderr).code).toBe('SIGNATURE');
  const unsigned = await cli('verify', tampered, '--public-key', join(dir, 'me.public.jwk'), '--json');
  expect(JSON.parse(unsigned.stderr).code).toBe('SIGNATURE');
  expect((await cli('keygen', '-o', join(dir, 'x'), '--algorithm', 'rsa')).code).toBe(2);
});
