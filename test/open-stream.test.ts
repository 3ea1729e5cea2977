// open() of a stream (a web ReadableStream, any async iterable: a Node Readable) reads it as it arrives: an
// index-first file opens once its prefix and index are in and a tensor decodes once its chunks are, while the rest is
// still to come; an index-last one opens at the end. A stream that fails, ends early, runs past maxBytes, stalls for
// timeoutMs, is aborted or closed fails the reads waiting on it with a typed error, and never leaves one waiting. With
// retain: false, each tensor reads once, and the stream is read no further ahead of the reads than a few MiB.
import { describe, expect, it } from 'vitest';
import { generateKeyPair, generateSecretKey, open, pack, sign, type Archive } from '../src/index';
import { random } from './helpers/data';
import { codeOf } from './helpers/errors';
import { readRepoFile } from './helpers/files';

const FOOTER_BYTES = 32;
const GOLDEN = ['v1/index-first', 'v1/index-last', 'v1.1/stages', 'v1.1/tfjs-codes', 'v1.2/entries', 'v1.2/onnx', 'v1.2/regroup',
  'v1.2/shared-ranges', 'v1.3/context', 'v1.3/index-first', 'v1.3/index-last', 'v1.4/rans', 'v1.5/rans-lanes',
  'v1.6/predict'];

/** Rejects when `promise` has not settled within `ms`: a hang fails the test rather than stalling it. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Whether `promise` settles within `ms`. */
const settlesWithin = (promise: Promise<unknown>, ms: number) => within(promise.then(() => true, () => true), ms, '').catch(() => false);

/** A stream the test feeds by hand: `send` enqueues, `end` closes, `error` errors it; `cancelled` tells whether the
 *  reader cancelled it. */
function handFed() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c), cancel: () => void (cancelled = true) });
  return {
    stream,
    send: (bytes: Uint8Array) => controller.enqueue(bytes.slice()),
    end: () => controller.close(),
    error: (err: unknown) => controller.error(err),
    cancelled: () => cancelled,
  };
}

/** `bytes` as a stream of pieces of the sizes `sizes` gives (called once per piece). */
function piecewise(bytes: Uint8Array, sizes: () => number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      const n = Math.max(1, sizes());
      controller.enqueue(bytes.slice(at, at + n));
      at += n;
    },
  });
}

/** `bytes` as an async iterable (what a Node Readable is) of pieces of `size` bytes, each after a macrotask. */
async function* iterable(bytes: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    yield bytes.slice(at, at + size);
  }
}

/** Where two arrays of floats first differ (their bit patterns), -1 when nowhere: toEqual on a million floats is slow. */
function firstDifference(a: ArrayLike<number>, b: Float32Array): number {
  const bits = (x: ArrayLike<number>) => new Uint32Array(Float32Array.from(x).buffer);
  const [x, y] = [bits(a), bits(b)];
  if (x.length !== y.length) return Math.min(x.length, y.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

/** A tensor's result, or its error's code. */
const tensorOf = (archive: Archive, name: string) => archive.get(name).catch((err) => err.code);

/** Every tensor (its result, or its error's code) and entry of an archive, in a form toEqual compares. */
async function contents(archive: Archive) {
  const out: Record<string, unknown> = { tensors: archive.tensors, entries: archive.entries, metadata: archive.metadata };
  for (const t of archive.tensors) out[`tensor ${t.name}`] = await tensorOf(archive, t.name);
  for (const e of archive.entries) out[`entry ${e.name}`] = await archive.getEntry(e.name);
  return out;
}

const next = random(11);
const floats = (n: number) => Float32Array.from({ length: n }, () => next() * 2 - 1);
/** Three tensors in this order, `last` the largest (random floats: ~1.2 MB stored). */
const model = { first: floats(3000), middle: floats(5000), last: floats(300_000) };
const file = await pack({
  first: { dtype: 'float32', shape: [3000], data: model.first },
  middle: { dtype: 'float32', shape: [50, 100], data: model.middle },
  last: { dtype: 'float32', shape: [300, 1000], data: model.last },
}, { quantize: 'lossless' });
const lastInfo = (await open(file)).tensors.find((t) => t.name === 'last')!;
/** Where the chunks of `last` start: pack writes the tensors in order, the footer after them. */
const lastStart = file.length - FOOTER_BYTES - lastInfo.encodedBytes;

describe('open() of a stream', () => {
  it('gives the first tensors while the stream is paused before the last tensor\'s chunks; the last once they arrive', async () => {
    const feed = handFed();
    feed.send(file.subarray(0, lastStart));
    const archive = await within(open(feed.stream), 5000, 'open() before the end of the stream');
    expect((await within(archive.get('first'), 5000, 'get(first) while the stream is paused')).data).toEqual(model.first);
    expect((await within(archive.get('middle'), 5000, 'get(middle) while the stream is paused')).data).toEqual(model.middle);
    const last = archive.get('last');
    expect(await settlesWithin(last, 100)).toBe(false); // its bytes have not come
    feed.send(file.subarray(lastStart));
    feed.end();
    expect((await within(last, 5000, 'get(last) after the end')).data).toEqual(model.last);
    expect(Object.keys(await archive.getAll())).toEqual(['first', 'middle', 'last']);
  });

  it('an index-last file opens once the stream has ended; cut short, it fails as the same bytes do', async () => {
    const bytes = await readRepoFile('test/golden/v1/index-last.tzip');
    const feed = handFed();
    feed.send(bytes.subarray(0, bytes.length - 1));
    const opening = open(feed.stream);
    expect(await settlesWithin(opening, 100)).toBe(false);
    feed.send(bytes.subarray(bytes.length - 1));
    feed.end();
    expect(await contents(await within(opening, 5000, 'open()'))).toEqual(await contents(await open(bytes)));
    // Cut short, it is a shorter file: nothing tells it from one, so it fails as those bytes do (no footer: CORRUPT).
    const cut = bytes.subarray(0, bytes.length - 100);
    expect(await within(codeOf(open(piecewise(cut, () => 1000))), 5000, 'open() of a cut stream')).toBe(await codeOf(open(cut)));
  });

  it.each(GOLDEN)('golden %s.tzip: from 1-byte, random-size and async-iterable pieces, the same as from bytes', async (name) => {
    const bytes = await readRepoFile(`test/golden/${name}.tzip`);
    const expected = await contents(await open(bytes));
    const sizes = random(bytes.length);
    for (const stream of [piecewise(bytes, () => 1), piecewise(bytes, () => Math.floor(sizes() * 3000)), iterable(bytes, 997)]) {
      expect(await within(open(stream).then(contents), 10_000, name)).toEqual(expected);
    }
  });

  it('an encrypted index-first file decodes as it arrives, and as from bytes', async () => {
    const key = generateSecretKey();
    const sealed = await pack({ first: { dtype: 'float32', shape: [3000], data: model.first }, last: { dtype: 'float32', shape: [300, 1000], data: model.last } }, { quantize: 'lossless', encrypt: { key } });
    const feed = handFed();
    feed.send(sealed.subarray(0, sealed.length - 100_000));
    const archive = await within(open(feed.stream, { decrypt: { key } }), 5000, 'open() of an encrypted stream');
    expect((await within(archive.get('first'), 5000, 'get(first)')).data).toEqual(model.first);
    feed.send(sealed.subarray(sealed.length - 100_000));
    feed.end();
    expect((await within(archive.get('last'), 5000, 'get(last)')).data).toEqual(model.last);
  });

  it('with publicKey, the whole stream is checked against its signature first: SIGNATURE for a changed byte', async () => {
    const { publicKey, privateKey } = await generateKeyPair();
    const signature = await sign(file, privateKey);
    const archive = await within(open(piecewise(file, () => 65536), { publicKey, signature }), 10_000, 'open() of a signed stream');
    expect((await archive.get('first')).data).toEqual(model.first);
    const changed = file.slice();
    changed[lastStart + 100] ^= 1;
    expect(await within(codeOf(open(piecewise(changed, () => 65536), { publicKey, signature }).then((a) => a.getAll())), 10_000, 'a changed stream')).toBe('SIGNATURE');
  });

  it('TRUNCATED when the stream ends early: before the index (open), in the last tensor (its reads, pending and later)', async () => {
    for (const cut of [10, 40, 300]) expect(await within(codeOf(open(piecewise(file.subarray(0, cut), () => 7))), 5000, `cut at ${cut}`)).toBe('TRUNCATED');
    const feed = handFed();
    feed.send(file.subarray(0, lastStart + 1000));
    const archive = await within(open(feed.stream), 5000, 'open()');
    const pending = codeOf(archive.get('last'));
    feed.end();
    expect(await within(pending, 5000, 'a pending read')).toBe('TRUNCATED');
    expect(await within(codeOf(archive.get('last')), 5000, 'a later read')).toBe('TRUNCATED');
    expect(await within(codeOf(archive.getAll()), 5000, 'getAll()')).toBe('TRUNCATED');
    // Only the footer missing: every chunk is in, and the end is still checked.
    const noFooter = handFed();
    noFooter.send(file.subarray(0, file.length - FOOTER_BYTES));
    const opened = await within(open(noFooter.stream), 5000, 'open()');
    noFooter.end();
    expect(await within(codeOf(opened.getAll()), 5000, 'getAll() without a footer')).toBe('TRUNCATED');
  });

  it('the end checked as open() checks a whole file: a footer that is not the prefix\'s is CORRUPT for every read after it', async () => {
    const bad = file.slice();
    bad[bad.length - 1] ^= 0xff; // the end magic
    const feed = handFed();
    feed.send(bad);
    const archive = await within(open(feed.stream), 5000, 'open()');
    feed.end();
    expect(await codeOf(open(bad))).toBe('CORRUPT');
    expect(await within(codeOf(archive.get('first')), 5000, 'get(first)')).toBe('CORRUPT');
  });

  it('IO when the stream errors: before the index (open), mid-stream (pending and later reads)', async () => {
    const early = handFed();
    early.send(file.subarray(0, 20));
    const opening = codeOf(open(early.stream));
    early.error(new Error('connection reset'));
    expect(await within(opening, 5000, 'open()')).toBe('IO');
    const feed = handFed();
    feed.send(file.subarray(0, lastStart));
    const archive = await within(open(feed.stream), 5000, 'open()');
    const pending = codeOf(archive.get('last'));
    feed.error(new Error('connection reset'));
    expect(await within(pending, 5000, 'a pending read')).toBe('IO');
    expect(await within(codeOf(archive.get('first')), 5000, 'a later read')).toBe('IO');
  });

  it('LIMIT at open() when the index lists bytes past maxBytes, with the rest of the stream not yet sent', async () => {
    const feed = handFed();
    feed.send(file.subarray(0, 2000));
    expect(await within(codeOf(open(feed.stream, { maxBytes: file.length - 1 })), 5000, 'open()')).toBe('LIMIT');
    expect(feed.cancelled()).toBe(true);
  });

  it('LIMIT for every read, and the stream cancelled, once an endless stream runs past maxBytes', async () => {
    let cancelled = false;
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(sent < file.length ? file.slice(sent, sent + 65536) : new Uint8Array(65536));
        sent += 65536;
      },
      cancel: () => void (cancelled = true),
    }, { highWaterMark: 0 });
    const maxBytes = file.length + 200_000;
    const archive = await within(open(endless, { maxBytes }), 5000, 'open()');
    await within((async () => { while (!cancelled) await new Promise((resolve) => setTimeout(resolve, 5)); })(), 5000, 'the stream cancelled');
    expect(sent).toBeLessThanOrEqual(maxBytes + 2 * 65536); // read no further than the chunk past the limit
    expect(await within(codeOf(archive.get('first')), 5000, 'a later read')).toBe('LIMIT');
  });

  it('ARGUMENT for a stream another reader holds, or one that gives something other than bytes', async () => {
    const locked = handFed();
    locked.stream.getReader();
    expect(await within(codeOf(open(locked.stream)), 5000, 'open() of a locked stream')).toBe('ARGUMENT');
    const text = new ReadableStream({ start: (c) => (c.enqueue('TZIP'), c.close()) });
    expect(await within(codeOf(open(text as ReadableStream<Uint8Array>)), 5000, 'open() of a text stream')).toBe('ARGUMENT');
  });

  it('ABORTED by the signal: open() and pending reads, the stream cancelled; a signal aborted before open()', async () => {
    const controller = new AbortController();
    const feed = handFed();
    feed.send(file.subarray(0, lastStart));
    const archive = await within(open(feed.stream, { signal: controller.signal }), 5000, 'open()');
    const pending = codeOf(archive.get('last'));
    controller.abort();
    expect(await within(pending, 5000, 'a pending read')).toBe('ABORTED');
    expect(feed.cancelled()).toBe(true);
    const before = new AbortController();
    before.abort();
    expect(await within(codeOf(open(handFed().stream, { signal: before.signal })), 5000, 'open()')).toBe('ABORTED');
    const opening = new AbortController();
    const silent = handFed();
    const waiting = codeOf(open(silent.stream, { signal: opening.signal }));
    opening.abort();
    expect(await within(waiting, 5000, 'open() of a silent stream')).toBe('ABORTED');
  });

  it('TIMEOUT after timeoutMs without a byte: open() of a silent stream, a read waiting on a stalled one (cancelled)', async () => {
    expect(await within(codeOf(open(handFed().stream, { timeoutMs: 100 })), 5000, 'open() of a silent stream')).toBe('TIMEOUT');
    const feed = handFed();
    feed.send(file.subarray(0, lastStart));
    const archive = await within(open(feed.stream, { timeoutMs: 1000 }), 5000, 'open()');
    expect((await archive.get('first')).data).toEqual(model.first);
    expect(await within(codeOf(archive.get('last')), 5000, 'a read waiting on a stalled stream')).toBe('TIMEOUT');
    expect(feed.cancelled()).toBe(true);
    for (const timeoutMs of [0, -1, NaN]) expect(await within(codeOf(open(handFed().stream, { timeoutMs })), 5000, `timeoutMs ${timeoutMs}`)).toBe('ARGUMENT');
  });

  it('close() cancels the stream (a ReadableStream\'s reader, an async iterable\'s iterator): reads waiting and later ones are ABORTED', async () => {
    const feed = handFed();
    feed.send(file.subarray(0, lastStart));
    const archive = await within(open(feed.stream), 5000, 'open()');
    const pending = codeOf(archive.get('last'));
    archive.close();
    expect(await within(pending, 5000, 'a read waiting at close()')).toBe('ABORTED');
    expect(feed.cancelled()).toBe(true);
    expect(await within(codeOf(archive.get('first')), 5000, 'a read after close()')).toBe('ABORTED');
    let returned = false;
    const parts = (async function* () {
      yield file.slice(0, lastStart);
      try {
        await new Promise(() => {}); // stalls, as a socket that sends nothing more
      } finally {
        returned = true;
      }
    })();
    const iterated = await within(open({ [Symbol.asyncIterator]: () => ({ next: () => parts.next(), return: () => (returned = true, parts.return(undefined)) }) }), 5000, 'open()');
    const waiting = codeOf(iterated.get('last'));
    iterated.close();
    expect(await within(waiting, 5000, 'a read waiting at close()')).toBe('ABORTED');
    expect(returned).toBe(true);
  });
});

/** 16 tensors of 1 MiB of random floats in file order (~16 MiB stored) and where each one's bytes end in the file. */
const big = Object.fromEntries(Array.from({ length: 16 }, (_, k) => [`t${k}`, { dtype: 'float32' as const, shape: [512, 512], data: floats(1 << 18) }]));
const bigFile = await pack(big, { quantize: 'lossless' });
const bigEnds = (await open(bigFile)).tensors.map((_, k, all) => bigFile.length - FOOTER_BYTES - all.slice(k + 1).reduce((n, t) => n + t.encodedBytes, 0));

describe('open() of a stream with retain: false', () => {
  it.each(GOLDEN)('golden %s.tzip: every tensor and entry once, as from bytes, in any order; a second read is ARGUMENT', async (name) => {
    const bytes = await readRepoFile(`test/golden/${name}.tzip`);
    const expected = await contents(await open(bytes));
    const sizes = random(bytes.length);
    for (const stream of [piecewise(bytes, () => Math.floor(sizes() * 3000)), iterable(bytes, 997)]) {
      const archive = await within(open(stream, { retain: false }), 10_000, name);
      expect(await within(contents(archive), 10_000, name)).toEqual(expected);
      for (const t of archive.tensors) expect(await codeOf(archive.get(t.name)), t.name).toBe('ARGUMENT');
      for (const e of archive.entries) expect(await codeOf(archive.getEntry(e.name)), e.name).toBe('ARGUMENT');
    }
    // Shared ranges (format 1.2): a chunk two tensors list stays until both are read, whichever comes first.
    const reversed = await within(open(piecewise(bytes, () => 4096), { retain: false }), 10_000, name);
    for (const t of [...reversed.tensors].reverse()) expect(await tensorOf(reversed, t.name), t.name).toEqual(expected[`tensor ${t.name}`]);
  });

  it('stream() reads the stream at most a few MiB ahead of the tensor it gives (none while the caller pauses), with no TIMEOUT for the pause', async () => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= bigFile.length) return controller.close();
        controller.enqueue(bigFile.slice(sent, sent + 65536));
        sent += 65536;
      },
    }, { highWaterMark: 0 });
    const archive = await within(open(stream, { retain: false, timeoutMs: 200 }), 5000, 'open()');
    for await (const { name, tensor, index } of archive.stream()) {
      expect(firstDifference(tensor.data as Float32Array, big[name].data), name).toBe(-1);
      await new Promise((resolve) => setTimeout(resolve, index === 3 ? 600 : 20)); // the caller at work: the stream could run ahead
      expect(sent - bigEnds[index], `bytes read past ${name}`).toBeLessThanOrEqual(6.5 * 2 ** 20);
    }
    expect(await codeOf(archive.get('t0'))).toBe('ARGUMENT');
  });

  it('a read far ahead gets its bytes past the read-ahead, and the ones before stay for their own reads, each once', async () => {
    const archive = await within(open(piecewise(bigFile, () => 65536), { retain: false }), 5000, 'open()');
    expect(firstDifference((await within(archive.get('t15'), 10_000, 'get(t15)')).data as Float32Array, big.t15.data)).toBe(-1);
    expect(await codeOf(archive.get('t15'))).toBe('ARGUMENT');
    for (let k = 0; k < 15; k++) expect(firstDifference((await archive.get(`t${k}`)).data as Float32Array, big[`t${k}`].data), `t${k}`).toBe(-1);
  });

  it('the end is still checked: a footer that is not the prefix\'s is CORRUPT for the reads after it', async () => {
    const bad = file.slice();
    bad[bad.length - 1] ^= 0xff;
    const feed = handFed();
    feed.send(bad.subarray(0, lastStart));
    const archive = await within(open(feed.stream, { retain: false }), 5000, 'open()');
    expect((await archive.get('first')).data).toEqual(model.first);
    expect(await codeOf(archive.get('first'))).toBe('ARGUMENT'); // read once
    feed.send(bad.subarray(lastStart));
    feed.end();
    await new Promise((resolve) => setTimeout(resolve, 20)); // the end has come, and been checked
    expect(await within(codeOf(archive.get('middle')), 5000, 'get(middle)')).toBe('CORRUPT');
  });

  it('ARGUMENT for a retain that is not a boolean', async () => {
    expect(await within(codeOf(open(handFed().stream, { retain: 'no' as unknown as boolean })), 5000, 'open()')).toBe('ARGUMENT');
  });
});

