// Issue 18 item 3: an index of more tensors than maxTensors or more chunks than maxChunks (each well under
// maxIndexBytes) is refused (LIMIT) before JSON.parse: no time or memory is spent on its entries.
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../src/index';
import { expectBoundedAllocation } from './helpers/memory-bound';
import { tzipFile } from './helpers/tzip-builder';

let engine: Engine;

beforeAll(async () => {
  engine = await createEngine();
  engine.lz4.compress(new Uint8Array(4 << 20)); // the WebAssembly memory an ordinary call takes, taken before measuring
});

async function refusal(file: Uint8Array): Promise<string> {
  let code = 'OK';
  await expectBoundedAllocation(async () => {
    code = await engine.open(file).then(() => 'OK', (err: { code?: string }) => err.code ?? String(err));
  });
  return code;
}

describe('default index limits', () => {
  it('100,001 empty tensors (the default maxTensors is 100,000): LIMIT, memory bounded', async () => {
    const entries = Array.from({ length: 100_001 }, (_, i) => `{"name":"t${i}","dtype":"int8","shape":[0],"stored":{"dtype":"int8"},"pipeline":[],"chunkElements":1,"chunks":[]}`);
    expect(await refusal(tzipFile(`{"tensors":[${entries.join(',')}]}`))).toBe('LIMIT');
  });

  it('1,000,001 zero-length chunks at one offset (the default maxChunks is 1,000,000): LIMIT, memory bounded', async () => {
    const n = 1_000_001;
    const index = (at: number) => `{"tensors":[{"name":"t","dtype":"uint8","shape":[${n}],"stored":{"dtype":"uint8"},"pipeline":[],"chunkElements":1,"chunks":[${`[${at},0,46947589],`.repeat(n - 1)}[${at},0,46947589]]}]}`;
    expect(await refusal(tzipFile(index))).toBe('LIMIT');
  });
});
