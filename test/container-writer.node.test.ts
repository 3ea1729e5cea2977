// ContainerWriter into a Node file stream: finish() resolves once the file is complete on disk.
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { createWriter, open } from '../src/index';

it('writes a .tzip file through fs.createWriteStream', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'tensorzip-writer-')), 'model.tzip');
  const weights = Float32Array.from({ length: 100_000 }, (_, i) => Math.sin(i) * 0.01);
  const writer = createWriter(createWriteStream(path), { quantize: 'lossless' });
  await writer.add('w', { dtype: 'float32', shape: [100, 1000], data: weights });
  await writer.add('b', { dtype: 'int32', shape: [4], data: Int32Array.of(1, 2, 3, 4) });
  await writer.finish();
  const archive = await open(new Uint8Array(readFileSync(path)));
  expect((await archive.get('w')).data).toEqual(weights);
  expect([...(await archive.get('b')).data]).toEqual([1, 2, 3, 4]);
});
