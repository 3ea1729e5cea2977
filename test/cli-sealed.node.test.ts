// `tensorzip keygen --symmetric`, `pack --encrypt-key-file / --passphrase-file`, and `unpack`, `inspect`, `verify`,
// `compare` with `--key-file / --passphrase-file`: the secret key file is owner-only, keys and passphrases never reach the
// output (text or --json), the unpacked tensors are the input's, and a wrong key or passphrase exits 1 with SIGNATURE.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { safetensors } from '../src/index';
import { cli } from './helpers/cli';

it('keygen --symmetric, pack encrypted, unpack / inspect / verify with the key or passphrase; secrets never printed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tzip-sealed-'));
  const input = join(dir, 'in.safetensors');
  const tensors = {
    w: { dtype: 'float32' as const, shape: [40, 50], data: Float32Array.from({ length: 2000 }, (_, i) => Math.cos(i)) },
    ids: { dtype: 'int32' as const, shape: [3], data: Int32Array.of(4, -5, 6) },
  };
  writeFileSync(input, safetensors.write(tensors));
  const passphrase = 'tr0ub4dor & 3 horses';
  writeFileSync(join(dir, 'pass.txt'), `${passphrase}\n`);
  writeFileSync(join(dir, 'wrong.txt'), 'tr0ub4dor & 3 horse\n');

  const keygen = await cli('keygen', '-o', join(dir, 'secret'), '--symmetric', '--json');
  expect(keygen.code).toBe(0);
  const keyFile = join(dir, 'secret.key.jwk');
  const { k } = JSON.parse(readFileSync(keyFile, 'utf8'));
  expect(k).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(statSync(keyFile).mode & 0o077).toBe(0);
  const outputs: string[] = [keygen.stdout + keygen.stderr];

  const keyed = join(dir, 'keyed.tzip');
  const packed = await cli('pack', input, '-o', keyed, '--quantize', 'lossless', '--encrypt-key-file', keyFile, '--json');
  expect(packed.code, packed.stderr).toBe(0);
  outputs.push(packed.stdout + packed.stderr);
  expect(readFileSync(keyed)[5]).toBe(4); // format 1.4: encrypted
  expect(readFileSync(keyed).toString('latin1')).not.toContain('"ids"');

  const locked = await cli('inspect', keyed, '--json');
  expect(locked.code).toBe(2);
  expect(JSON.parse(locked.stderr).code).toBe('ARGUMENT');
  const inspect = await cli('inspect', keyed, '--key-file', keyFile, '--json');
  expect(inspect.code).toBe(0);
  expect(JSON.parse(inspect.stdout).tensors.map((t: { tensor: string }) => t.tensor).sort()).toEqual(['ids', 'w']);
  outputs.push(inspect.stdout + inspect.stderr);

  const out = join(dir, 'out.safetensors');
  const unpacked = await cli('unpack', keyed, '-o', out, '--key-file', keyFile, '--json');
  expect(unpacked.code).toBe(0);
  outputs.push(unpacked.stdout + unpacked.stderr);
  const back = safetensors.read(new Uint8Array(readFileSync(out)));
  expect(back.tensors.w.data).toEqual(tensors.w.data);
  expect(back.tensors.ids.data).toEqual(tensors.ids.data);

  const verified = await cli('verify', keyed, '--key-file', keyFile, '--json');
  expect(verified.code).toBe(0);
  expect(JSON.parse(verified.stdout).encryption).toBe('authenticated');
  outputs.push(verified.stdout + verified.stderr);
  expect((await cli('keygen', '-o', join(dir, 'other'), '--symmetric')).code).toBe(0);
  const wrongKey = await cli('verify', keyed, '--key-file', join(dir, 'other.key.jwk'), '--json');
  expect([wrongKey.code, JSON.parse(wrongKey.stderr).code]).toEqual([1, 'SIGNATURE']);

  const compared = await cli('compare', input, keyed, '--key-file', keyFile, '--json');
  expect(compared.code, compared.stderr).toBe(0);
  const report = JSON.parse(compared.stdout);
  expect(report.tensors.map((t: { name: string; maxAbsError: number }) => [t.name, t.maxAbsError]).sort()).toEqual([['ids', 0], ['w', 0]]);
  outputs.push(compared.stdout + compared.stderr);
  const comparedLocked = await cli('compare', input, keyed, '--json');
  expect([comparedLocked.code, JSON.parse(comparedLocked.stderr).code]).toEqual([2, 'ARGUMENT']);

  const phrased = join(dir, 'phrased.tzip');
  const packedPhrase = await cli('pack', input, '-o', phrased, '--quantize', 'lossless', '--passphrase-file', join(dir, 'pass.txt'), '--public-index', '--json');
  expect(packedPhrase.code, packedPhrase.stderr).toBe(0);
  outputs.push(packedPhrase.stdout + packedPhrase.stderr);
  expect(readFileSync(phrased).toString('latin1')).toContain('"ids"'); // --public-index
  const unpackedPhrase = await cli('unpack', phrased, '-o', join(dir, 'p.safetensors'), '--passphrase-file', join(dir, 'pass.txt'));
  expect(unpackedPhrase.code).toBe(0);
  outputs.push(unpackedPhrase.stdout + unpackedPhrase.stderr);
  expect(safetensors.read(new Uint8Array(readFileSync(join(dir, 'p.safetensors')))).tensors.w.data).toEqual(tensors.w.data);
  const wrongPhrase = await cli('unpack', phrased, '-o', join(dir, 'q.safetensors'), '--passphrase-file', join(dir, 'wrong.txt'), '--json');
  expect([wrongPhrase.code, JSON.parse(wrongPhrase.stderr).code]).toEqual([1, 'SIGNATURE']);
  outputs.push(wrongPhrase.stdout + wrongPhrase.stderr);

  expect((await cli('pack', input, '-o', join(dir, 'x.tzip'), '--public-index')).code).toBe(2);
  expect((await cli('pack', input, '-o', join(dir, 'x.tzip'), '--encrypt-key-file', keyFile, '--passphrase-file', join(dir, 'pass.txt'))).code).toBe(2);
  // A passphrase file given as the key file: refused without quoting it.
  const misplaced = await cli('unpack', keyed, '-o', join(dir, 'y.safetensors'), '--key-file', join(dir, 'pass.txt'), '--json');
  expect(misplaced.code).toBe(2);
  outputs.push(misplaced.stdout + misplaced.stderr);
  for (const output of outputs) {
    expect(output).not.toContain(k);
    expect(output).not.toContain(passphrase);
    expect(output).not.toContain('tr0ub4dor');
  }
});
