// open(…, { workers }) decodes chunks on a worker pool (src/parallel/): every pipeline must give the same bytes, and
// the same errors, as decoding on the calling thread; a worker that dies is replaced and its chunk retried once.
import { describe, expect, it } from 'vitest';
import { isTensorzipError, open, pack, pipeline, quant, type Archive, type PipelineStage } from '../src/index';
import { WorkerPool } from '../src/parallel';
import { nextTurn } from '../src/parallel/next-turn';
import { sharedArrays } from '../src/parallel/shared';
import { workerStarter, type StartWorker } from '../src/parallel/spawn';
import { compiledModule } from '../src/wasm/load';
import { random, spikyWeights } from './helpers/data';
import { equalBytes } from './helpers/engines';
import { failureOf } from './helpers/errors';
import { readRepoFile } from './helpers/files';
import { tzipFile } from './helpers/tzip-builder';
import { referenceXxh32 } from './reference/xxh32';
import { referenceReadIndex } from './reference/index-1.3';

const GOLDEN = ['v1/index-first.tzip', 'v1/index-last.tzip', 'v1.1/stages.tzip', 'v1.1/tfjs-codes.tzip', 'v1.2/entries.tzip',
  'v1.2/onnx.tzip', 'v1.2/regroup.tzip', 'v1.2/shared-ranges.tzip', 'v1.4/rans.tzip', 'v1.5/rans-lanes.tzip',
  'v1.6/predict.tzip'];

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);


/** Byte codes around 128, channel c = i mod channels spread by a ladder of `channels` widths, in a shuffled order. */
function channelCodes(count: number, channels: number, seed: number): Uint8Array {
  const next = random(seed);
  const spread = Array.from({ length: channels }, (_, c) => 1 + ((c * 37) % channels) * (40 / channels));
  return Uint8Array.from({ length: count }, (_, i) => Math.max(0, Math.min(255, 128 + Math.round((next() + next() + next() - 1.5) * spread[i % channels]!))));
}

/** Archives pack() writes with chunks of 256 KiB, so every tensor spans several, each large enough to go to a worker
 *  (smaller ones stay on the calling thread): each quantize mode and stage pack() chooses. */
async function packedArchives(): Promise<[string, Uint8Array][]> {
  const w = spikyWeights(256 * 1024, 1);
  const shape = [256, 1024];
  const tensors = {
    dense: { dtype: 'float32' as const, shape, data: w },
    sparse: { dtype: 'float32' as const, shape, data: spikyWeights(256 * 1024, 2, 0.7) },
    levels: { dtype: 'float32' as const, shape, data: w.map((v) => Math.round(v * 4) / 4) },
    ids: { dtype: 'int32' as const, shape: [200_000], data: Int32Array.from({ length: 200_000 }, (_, i) => i * 3) },
    mask: { dtype: 'bool' as const, shape: [600_000], data: Uint8Array.from({ length: 600_000 }, (_, i) => (i % 7 === 0 ? 1 : 0)) },
    // HWIO uint8 codes whose spread differs per output channel: the regroup stage's input.
    codes: { dtype: 'uint8' as const, shape: [3, 3, 128, 256], data: channelCodes(3 * 3 * 128 * 256, 256, 2) },
  };
  const options = { chunkBytes: 1 << 18 };
  const codes = (dtype: 'q8_0' | 'q4_0' | 'q4_1' | 'float8e4m3fn' | 'float8e5m2') => ({ quantized: quant.quantize(w, { dtype, shape }) });
  return [
    ['lossless', await pack(tensors, { ...options, quantize: 'lossless' })],
    ['lossless, LZ4 only', await pack(tensors, { ...options, quantize: 'lossless', entropy: false })],
    ['int8', await pack(tensors, { ...options, quantize: 'int8' })],
    ['int8, LZ4 only', await pack(tensors, { ...options, quantize: 'int8', entropy: false })],
    ['int4', await pack(tensors, { ...options, quantize: 'int4' })],
    ['fp16', await pack(tensors, { ...options, quantize: 'fp16' })],
    ['bf16', await pack(tensors, { ...options, quantize: 'bf16' })],
    ['ggml and fp8 codes', await pack({ q8: codes('q8_0'), q40: codes('q4_0'), q41: codes('q4_1'), e4: codes('float8e4m3fn'), e5: codes('float8e5m2') }, options)],
    ['stages pack() does not choose', handWritten()],
  ];
}

/** A file whose chunks go through delta, bitshuffle, and CSR and 2:4 sparse packing, written through pipeline. */
function handWritten(): Uint8Array {
  const n = 1 << 18;
  const ramp = new Int32Array(n).map((_, i) => i * 5 - 7);
  const float = spikyWeights(n, 3);
  const sparse = spikyWeights(n, 4, 0.9);
  const twoOfFour = new Int8Array(n).map((_, i) => (i % 4 < 2 ? ((i * 37) % 255) - 127 : 0));
  const tensors: [string, string, ArrayBufferView, PipelineStage[]][] = [
    ['delta', 'int32', ramp, [{ codec: 'delta', width: 4 }, { codec: 'lz4' }]],
    ['bitshuffle', 'float32', float, [{ codec: 'bitshuffle', typesize: 4 }, { codec: 'lz4' }]],
    ['csr', 'float32', sparse, [{ codec: 'sparse', format: 'csr', width: 4 }, { codec: 'lz4' }]],
    ['2:4', 'int8', twoOfFour, [{ codec: 'sparse', format: '2:4', width: 1 }, { codec: 'lz4' }]],
  ];
  const chunkElements = 1 << 16;
  const pieces: Uint8Array[] = [];
  const entries = tensors.map(([name, dtype, data, stages]) => {
    const bytes = bytesOf(data);
    const width = bytes.length / n;
    const chunks = [];
    for (let start = 0; start < n; start += chunkElements) {
      const piece = pipeline.encodeChunk(bytes.slice(start * width, (start + chunkElements) * width), stages);
      chunks.push({ piece, checksum: referenceXxh32(piece), index: pieces.length });
      pieces.push(piece);
    }
    return { name, dtype, stages, chunks };
  });
  // Chunks start at multiples of 64 (docs/FORMAT.md).
  const at = pieces.map((_, i) => pieces.slice(0, i).reduce((s, p) => s + Math.ceil(p.length / 64) * 64, 0));
  const data = new Uint8Array(at[at.length - 1]! + pieces[pieces.length - 1]!.length);
  pieces.forEach((p, i) => data.set(p, at[i]));
  return tzipFile((dataAt: number) => ({
    tensors: entries.map(({ name, dtype, stages, chunks }) => ({
      name, dtype, shape: [n], stored: { dtype, axis: null, blockSize: null, params: null }, pipeline: stages, chunkElements,
      chunks: chunks.map(({ piece, checksum, index }) => [dataAt + at[index]!, piece.length, checksum]),
      stats: null,
    })),
  }), data);
}

/** Everything an archive decodes: each tensor's values, each tensor's stored codes where it has them, each entry. */
async function everything(archive: Archive): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const [name, t] of Object.entries(await archive.getAll())) out.set(`tensor ${name}`, bytesOf(t.data));
  for (const t of archive.tensors) {
    const codes = await archive.getCodes(t.name).catch((err) => (isTensorzipError(err, 'ARGUMENT') ? null : Promise.reject(err)));
    if (codes) out.set(`codes ${t.name}`, bytesOf(codes.quantized.data));
  }
  for (const e of archive.entries) out.set(`entry ${e.name}`, await archive.getEntry(e.name));
  return out;
}

const files = [
  ...(await Promise.all(GOLDEN.map(async (name): Promise<[string, Uint8Array]> => [`golden ${name}`, await readRepoFile(`test/golden/${name}`)]))),
  ...(await packedArchives()),
];

describe('open with workers', () => {
  it('tensors of several 64 KiB chunks and more (those go to the workers) cover every stage and stored type', async () => {
    const codecs = new Set<string>();
    const stored = new Set<string>();
    for (const [, file] of files) {
      const archive = await open(file);
      for (const t of archive.tensors.filter((t) => t.decodedBytes >= 1 << 18)) {
        stored.add(t.storedDtype);
        for (const s of t.pipeline) codecs.add(s.codec === 'sparse' ? `sparse ${s.format}` : s.codec);
      }
    }
    expect([...codecs].sort()).toEqual(['bitshuffle', 'delta', 'huffman', 'huffman_ctx', 'lz4', 'palette', 'rans_lanes', 'regroup', 'shuffle', 'sparse 2:4', 'sparse bitmask', 'sparse csr']);
    for (const dtype of ['float32', 'int8', 'int4', 'float16', 'bfloat16', 'float8e4m3fn', 'float8e5m2', 'q8_0', 'q4_0', 'q4_1', 'int32', 'bool']) {
      expect(stored).toContain(dtype);
    }
  });

  it.each(files.map(([name]) => name))('%s: 2 workers decode the same bytes as one thread', async (name) => {
    const file = files.find(([n]) => n === name)![1];
    const expected = await everything(await open(file));
    const archive = await open(file, { workers: 2 });
    try {
      const got = await everything(archive);
      expect([...got.keys()]).toEqual([...expected.keys()]);
      for (const [key, bytes] of expected) expect(equalBytes(got.get(key)!, bytes), key).toBe(true);
    } finally {
      archive.close();
    }
  });

  it('a damaged chunk gives the same TensorzipError as on one thread (CHECKSUM, and CORRUPT or TRUNCATED unverified)', async () => {
    const file = (await packedArchives())[1]![1].slice();
    const archive = await open(file);
    const { index } = referenceReadIndex(file); // the index may be compressed (format 1.3)
    const dense = index.tensors.find((t) => t.name === 'dense') as { chunks: [number, number, number][] };
    const [offset, length] = dense.chunks[2];
    file.fill(0xff, offset, offset + length);
    expect(archive.tensors.length).toBeGreaterThan(0);
    for (const verify of [true, false]) {
      const one = await failureOf((await open(file, { verify })).get('dense'));
      const pooled = await open(file, { verify, workers: 2 });
      try {
        expect(await failureOf(pooled.get('dense'))).toEqual(one);
        expect(await failureOf(pooled.getAll())).toEqual(one);
      } finally {
        pooled.close();
      }
      expect(one.code).toMatch(verify ? 'CHECKSUM' : /^(CORRUPT|TRUNCATED)$/);
      expect(one.message).toContain('chunk 2 of "dense"');
    }
  });

  it("a file read a piece at a time (a Blob): a small tensor's get() before a large one's in the same turn decodes once the large one's chunks have gone to the workers", async () => {
    // A model's hundreds of small tensors, asked for in file order, would otherwise keep the workers waiting. (A file
    // in memory hands whole tensors over: decode-on-workers.test.ts.)
    const file = await pack({
      small: { dtype: 'float32', shape: [1000], data: spikyWeights(1000, 3) },
      large: { dtype: 'float32', shape: [1 << 18], data: spikyWeights(1 << 18, 4) },
    }, { quantize: 'lossless' });
    const archive = await open(new Blob([file as Uint8Array<ArrayBuffer>]), { workers: 2 });
    try {
      const [small, large] = sharedArrays([{ type: Float32Array, length: 1000 }, { type: Float32Array, length: 1 << 18 }]);
      const done = [archive.get('small', { out: small as Float32Array }), archive.get('large', { out: large as Float32Array })];
      for (let i = 0; i < 20; i++) await Promise.resolve();
      expect(small!.every((v) => v === 0)).toBe(true);
      await Promise.all(done);
      expect(equalBytes(bytesOf(small!), bytesOf((await (await open(file)).get('small')).data))).toBe(true);
    } finally {
      archive.close();
    }
  });

  it('close() stops the workers; the archive then decodes on the calling thread', async () => {
    const file = files.find(([n]) => n === 'int8')![1];
    const archive = await open(file, { workers: 1 });
    const before = bytesOf((await archive.get('dense')).data);
    archive.close();
    archive.close();
    expect(equalBytes(bytesOf((await archive.get('dense')).data), before)).toBe(true);
  });

  it('workers: a non-negative integer or "auto" (ARGUMENT otherwise); 0 means none', async () => {
    const file = files[0]![1];
    for (const workers of [-1, 1.5, 'all', null, Infinity]) {
      expect((await failureOf(open(file, { workers: workers as never }))).code).toBe('ARGUMENT');
    }
    (await open(file, { workers: 0 })).close();
    const auto = await open(file, { workers: 'auto' });
    expect(Object.keys(await auto.getAll()).length).toBe(auto.tensors.length);
    auto.close();
  });
});

/** Workers that count the messages of each type posted to them; the first `deaths` messages of type `dieOn` are
 *  preceded by one that makes the worker throw outside any chunk. */
async function instrumentedWorkers(dieOn = 'decode', deaths = 0): Promise<{ start: StartWorker; posted: Record<string, number>; started: () => number }> {
  const real = await workerStarter();
  const posted: Record<string, number> = {};
  let started = 0;
  let left = deaths;
  const start: StartWorker = (events) => {
    started++;
    const handle = real(events);
    return {
      ...handle,
      post: (message, transfer) => {
        const type = (message as { type: string }).type;
        posted[type] = (posted[type] ?? 0) + 1;
        if (type === dieOn && left-- > 0) handle.post({ type: 'init', module: 'not a module' }, []);
        handle.post(message, transfer);
      },
    };
  };
  return { start, posted, started: () => started };
}

describe('WorkerPool', () => {
  const data = spikyWeights(50_000, 5);
  const stages: PipelineStage[] = [{ codec: 'shuffle', typesize: 4 }, { codec: 'lz4' }];
  const encoded = pipeline.encodeChunk(bytesOf(data), stages);
  const job = () => ({ encoded, stages, target: null, out: new Uint8Array(data.byteLength), checksum: referenceXxh32(encoded) });

  it('a worker that dies mid-chunk is replaced and the chunk retried', async () => {
    const { start, started } = await instrumentedWorkers('decode', 1);
    const pool = await WorkerPool.create(1, await compiledModule(true), start);
    try {
      const j = job();
      await pool.decode(j);
      expect(equalBytes(j.out, bytesOf(data))).toBe(true);
      expect(started()).toBe(2);
      const again = job();
      await pool.decode(again);
      expect(equalBytes(again.out, bytesOf(data))).toBe(true);
    } finally {
      pool.terminate();
    }
  });

  it('a chunk whose retry dies too fails with a TensorzipError; the pool keeps working', async () => {
    const { start, started } = await instrumentedWorkers('decode', 2);
    const pool = await WorkerPool.create(1, await compiledModule(true), start);
    try {
      expect((await failureOf(pool.decode(job()))).code).toBe('LIMIT');
      expect(started()).toBe(3);
      const j = job();
      await pool.decode(j);
      expect(equalBytes(j.out, bytesOf(data))).toBe(true);
    } finally {
      pool.terminate();
    }
  });

  it('hands each worker several chunks ahead, and reuses the buffers that come back instead of allocating one per chunk', async () => {
    const real = await workerStarter();
    const returned = new Set<ArrayBuffer>();
    let posted = 0;
    let reused = 0;
    let mostAhead = 0;
    const start: StartWorker = (events) => {
      let ahead = 0;
      const handle = real({
        ...events,
        message: (reply) => {
          ahead--;
          for (const buffer of reply.returned) returned.add(buffer);
          events.message(reply);
        },
      });
      return {
        ...handle,
        post: (message, transfer) => {
          if ((message as { type: string }).type === 'decode') {
            mostAhead = Math.max(mostAhead, ++ahead);
            posted++;
            if (transfer.some((buffer) => returned.has(buffer))) reused++;
          }
          handle.post(message, transfer);
        },
      };
    };
    const pool = await WorkerPool.create(2, await compiledModule(true), start);
    try {
      for (let round = 0; round < 5; round++) {
        const jobs = Array.from({ length: 12 }, job);
        await Promise.all(jobs.map((j) => pool.decode(j)));
        for (const j of jobs) expect(equalBytes(j.out, bytesOf(data))).toBe(true);
      }
      expect(posted).toBe(60);
      expect(mostAhead).toBe(pool.capacityFor(new Uint8Array(1)) / pool.size);
      expect(mostAhead).toBeGreaterThan(1);
      // Only the first round's chunks (at most as many as the workers take at once) needed new buffers.
      expect(reused).toBeGreaterThanOrEqual(posted - pool.capacityFor(new Uint8Array(1)));
    } finally {
      pool.terminate();
    }
  });

  it('terminate() rejects queued chunks with ABORTED', async () => {
    const pool = await WorkerPool.create(1, await compiledModule(true));
    const pending = [pool.decode(job()), pool.decode(job())].map(failureOf);
    pool.terminate();
    for (const failure of await Promise.all(pending)) expect(failure.code).toBe('ABORTED');
    expect((await failureOf(pool.decode(job()))).code).toBe('ABORTED');
  });
});

describe.skipIf(typeof SharedArrayBuffer !== 'function')('WorkerPool, chunks that decode into shared memory', () => {
  const data = spikyWeights(50_000, 6);
  const stages: PipelineStage[] = [{ codec: 'shuffle', typesize: 4 }, { codec: 'lz4' }];
  const encoded = pipeline.encodeChunk(bytesOf(data), stages);
  const sharedJob = (bytes = encoded) => ({ encoded: bytes, stages, target: null, out: new Uint8Array(new SharedArrayBuffer(data.byteLength)), checksum: referenceXxh32(encoded) });

  it('go to the workers as one batch per turn of the event loop, which they share out: a message per worker, not per chunk', async () => {
    const { start, posted } = await instrumentedWorkers();
    const pool = await WorkerPool.create(2, await compiledModule(true), start);
    try {
      const jobs = Array.from({ length: 12 }, () => sharedJob());
      await Promise.all(jobs.map((j) => pool.decode(j)));
      for (const j of jobs) expect(equalBytes(j.out, bytesOf(data))).toBe(true);
      expect(posted).toEqual({ init: 2, batch: 2 });
      // The chunks' bytes may be a Node Buffer's view at any offset: copied, aligned or not, they decode the same.
      const unaligned = new Uint8Array(encoded.length + 3);
      unaligned.set(encoded, 3);
      const odd = sharedJob(unaligned.subarray(3));
      await pool.decode(odd);
      expect(equalBytes(odd.out, bytesOf(data))).toBe(true);
    } finally {
      pool.terminate();
    }
  });

  it('handedOut() resolves once the chunks asked for in this turn, before or after the call, have gone to the workers', async () => {
    const { start, posted } = await instrumentedWorkers();
    const pool = await WorkerPool.create(2, await compiledModule(true), start);
    try {
      await pool.handedOut();
      expect(posted.batch).toBeUndefined();
      const handedOut = pool.handedOut();
      const jobs = Array.from({ length: 3 }, () => sharedJob());
      const done = jobs.map((j) => pool.decode(j));
      expect(pool.handedOut()).toBe(handedOut);
      expect(posted.batch).toBeUndefined();
      await handedOut;
      expect(posted.batch).toBe(2);
      await Promise.all(done);
      for (const j of jobs) expect(equalBytes(j.out, bytesOf(data))).toBe(true);
    } finally {
      pool.terminate();
    }
  });

  it('getAll() puts the tensors the workers decode side by side in one buffer; each decodes as on one thread', async () => {
    const file = files.find(([n]) => n === 'lossless')![1];
    const expected = await (await open(file)).getAll();
    const archive = await open(file, { workers: 2 });
    try {
      const all = await archive.getAll();
      const shared = Object.values(all).filter((t) => t.data.buffer instanceof SharedArrayBuffer);
      expect(shared.length).toBe(archive.tensors.filter((t) => t.decodedBytes >= 65536).length);
      expect(shared.length).toBeGreaterThan(3);
      expect(new Set(shared.map((t) => t.data.buffer)).size).toBe(1);
      for (const [name, t] of Object.entries(expected)) expect(equalBytes(bytesOf(all[name]!.data), bytesOf(t.data)), name).toBe(true);
    } finally {
      archive.close();
    }
  });

  it('sharedArrays: zero-filled arrays at multiples of 64 bytes, disjoint, in buffers of at most 16 MiB (one larger alone)', () => {
    const MiB = 1 << 20;
    const specs = [
      { type: Float32Array, length: 100 }, { type: Uint8Array, length: 1 }, { type: Float64Array, length: 3 },
      { type: Uint8Array, length: 12 * MiB }, { type: Float32Array, length: 1.25 * MiB }, { type: Uint8Array, length: 20 * MiB }, { type: Int8Array, length: 5 },
    ] as const;
    const arrays = sharedArrays<ArrayBufferView & { length: number }>(specs as never);
    arrays.forEach((a, i) => {
      expect(a).toBeInstanceOf(specs[i]!.type);
      expect(a.length).toBe(specs[i]!.length);
      expect(a.byteOffset % 64).toBe(0);
      expect(a.buffer).toBeInstanceOf(SharedArrayBuffer);
    });
    // The first four fit in 16 MiB; the 5 MiB one does not join them; the 20 MiB one is alone; the last joins none
    // before it that would pass the limit.
    const buffers = [...new Set(arrays.map((a) => a.buffer))];
    expect(arrays.map((a) => buffers.indexOf(a.buffer))).toEqual([0, 0, 0, 0, 1, 2, 3]);
    expect(buffers.every((b) => b.byteLength <= 16 * MiB || b === arrays[5]!.buffer)).toBe(true);
    for (const b of buffers) {
      const inside = arrays.filter((a) => a.buffer === b).map((a) => [a.byteOffset, a.byteOffset + a.byteLength]).sort((x, y) => x[0]! - y[0]!);
      for (let i = 1; i < inside.length; i++) expect(inside[i]![0]).toBeGreaterThanOrEqual(inside[i - 1]![1]!);
    }
    expect(new Uint8Array(arrays[3]!.buffer, arrays[3]!.byteOffset, 4096).every((v) => v === 0)).toBe(true);
  });

  it('a worker that dies on a batch is replaced, and every chunk of the batch is decoded', async () => {
    const { start, started } = await instrumentedWorkers('batch', 1);
    const pool = await WorkerPool.create(1, await compiledModule(true), start);
    try {
      const jobs = Array.from({ length: 5 }, () => sharedJob());
      await Promise.all(jobs.map((j) => pool.decode(j)));
      for (const j of jobs) expect(equalBytes(j.out, bytesOf(data))).toBe(true);
      expect(started()).toBe(2);
    } finally {
      pool.terminate();
    }
  });

  it("a damaged chunk fails with the worker's TensorzipError; the others of its batch decode", async () => {
    const pool = await WorkerPool.create(2, await compiledModule(true));
    try {
      const damaged = encoded.slice();
      damaged[damaged.length >> 1]! ^= 1;
      const jobs = [sharedJob(), sharedJob(damaged), sharedJob()];
      const results = await Promise.allSettled(jobs.map((j) => pool.decode(j)));
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect((results[1] as PromiseRejectedResult).reason.code).toBe('CHECKSUM');
      expect(equalBytes(jobs[2]!.out, bytesOf(data))).toBe(true);
    } finally {
      pool.terminate();
    }
  });

  it('terminate() rejects chunks not yet handed out with ABORTED', async () => {
    const pool = await WorkerPool.create(1, await compiledModule(true));
    const pending = [pool.decode(sharedJob()), pool.decode(sharedJob())].map(failureOf);
    pool.terminate();
    for (const failure of await Promise.all(pending)) expect(failure.code).toBe('ABORTED');
  });
});

describe('nextTurn (when a batch of chunks goes to the workers)', () => {
  it('runs after the promise callbacks of the turn, and before a 0 ms timer set just before it, even from timers nested ten deep', async () => {
    // Browsers hold such a timer back 4 ms or more: the batch, and the workers with it, must not wait that long.
    const order = await new Promise<string[]>((resolve) => {
      const seen: string[] = [];
      const nested = (depth: number): unknown => setTimeout(() => {
        if (depth > 0) return nested(depth - 1);
        setTimeout(() => resolve([...seen, 'timer']), 0);
        nextTurn(() => seen.push('next turn'));
        void Promise.resolve().then(() => seen.push('promise callback'));
      }, 0);
      nested(10);
    });
    expect(order).toEqual(['promise callback', 'next turn', 'timer']);
  });
});
