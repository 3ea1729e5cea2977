// open() in Node: a file path, a file: URL, a Node Readable, fs.openAsBlob; reads of a path go by ranges; close()
// cancels a stream, so that nothing keeps the process alive.
import { execFile } from 'node:child_process';
import { createReadStream, openAsBlob } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isTensorzipError, open, pack } from '../src/index';
import { random } from './helpers/data';

const next = random(5);
const weights = Float32Array.from({ length: 300_000 }, () => next() - 0.5);
const bias = Int32Array.from({ length: 100 }, (_, i) => i - 50);
let dir: string;
let path: string;
let file: Uint8Array;

beforeAll(async () => {
  file = await pack({ w: { dtype: 'float32', shape: [300, 1000], data: weights }, b: { dtype: 'int32', shape: [100], data: bias } }, { quantize: 'lossless' });
  dir = await mkdtemp(join(tmpdir(), 'tensorzip-open-'));
  path = join(dir, 'model.tzip');
  await writeFile(path, file);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'no error';
  } catch (err) {
    return isTensorzipError(err) ? err.code : `untyped ${String(err)}`;
  }
}

async function expectModel(source: Parameters<typeof open>[0]) {
  const archive = await open(source);
  expect(Buffer.from((await archive.get('w', { dtype: 'float32' })).data.buffer).equals(Buffer.from(weights.buffer))).toBe(true);
  expect((await archive.get('b')).data).toEqual(bias);
}

describe('open() in Node', () => {
  it('reads a file path (absolute and relative) and a file: URL, as string or URL', async () => {
    await expectModel(path);
    await expectModel(relative(process.cwd(), path));
    await expectModel(pathToFileURL(path));
    await expectModel(pathToFileURL(path).href);
  });

  it('reads a path by ranges: only the chunks of the tensor asked for', async () => {
    const seen: number[] = [];
    const archive = await open(path, { onProgress: (done) => seen.push(done) });
    await archive.get('b');
    expect(seen.at(-1)!).toBeLessThan(file.length / 10);
  });

  it('NOT_FOUND for a path that does not exist; IO for a directory', async () => {
    expect(await codeOf(open(join(dir, 'missing.tzip')))).toBe('NOT_FOUND');
    expect(await codeOf(open(pathToFileURL(join(dir, 'missing.tzip'))))).toBe('NOT_FOUND');
    expect(await codeOf(open(dir))).toBe('IO');
  });

  it('CHANGED when the file is rewritten between reads', async () => {
    const changing = join(dir, 'changing.tzip');
    await writeFile(changing, file);
    const archive = await open(changing);
    await writeFile(changing, file.subarray(0, file.length - 100));
    expect(await codeOf(archive.get('w'))).toBe('CHANGED');
  });

  it('accepts a Node Readable (fs.createReadStream, Readable.from), up to maxBytes', async () => {
    await expectModel(createReadStream(path, { highWaterMark: 4096 }));
    await expectModel(Readable.from([file.subarray(0, 1000), file.subarray(1000)]));
    expect(await codeOf(open(createReadStream(path), { maxBytes: 1000 }))).toBe('LIMIT');
    expect(await codeOf(open(createReadStream(path, { encoding: 'latin1' })))).toBe('ARGUMENT');
  });

  it('reads a Node Readable as it arrives: the first tensor before the stream ends; IO when it is destroyed', async () => {
    const waitFor = <T>(promise: Promise<T>) => Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000))]);
    const bEncoded = (await open(file)).tensors.find((t) => t.name === 'b')!.encodedBytes;
    const cut = file.length - 32 - bEncoded; // before the last tensor's chunk: pack writes w, then b, then the footer
    const readable = new PassThrough();
    readable.write(file.subarray(0, cut));
    const archive = await waitFor(open(readable));
    expect(Buffer.from((await waitFor(archive.get('w', { dtype: 'float32' }))).data.buffer).equals(Buffer.from(weights.buffer))).toBe(true);
    const b = archive.get('b');
    readable.end(file.subarray(cut));
    expect((await waitFor(b)).data).toEqual(bias);
    const broken = new PassThrough();
    broken.write(file.subarray(0, cut));
    const opened = await waitFor(open(broken));
    const pending = codeOf(opened.get('b'));
    broken.destroy(new Error('socket hang up'));
    expect(await waitFor(pending)).toBe('IO');
  });

  it('close() destroys a Node Readable and rejects the read waiting on it with ABORTED', async () => {
    const readable = new PassThrough();
    readable.write(file.subarray(0, 1000));
    const archive = await open(readable);
    const pending = codeOf(archive.get('w'));
    archive.close();
    expect(await pending).toBe('ABORTED');
    expect(readable.destroyed).toBe(true);
  });

  it('close() lets the process exit: an HTTP response (a Node Readable) or a fetch() body that stalls is cancelled', async () => {
    // The server sends the file up to its last tensor's chunks, then nothing more, keeping the connection open.
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': file.length });
      res.write(file.subarray(0, 2000));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.tzip`;
    const bundle = pathToFileURL(join(process.cwd(), 'dist/index.mjs')).href;
    const bodies = {
      'an http.get response': "await new Promise((resolve) => get(process.argv[1], resolve))",
      'a fetch() body': '(await fetch(process.argv[1])).body',
    };
    try {
      for (const [what, body] of Object.entries(bodies)) {
        const script = `import { open } from ${JSON.stringify(bundle)}; import { get } from 'node:http';
          const archive = await open(${body});
          const pending = archive.get('w').catch((err) => err.code);
          archive.close();
          console.log(await pending);`;
        const child = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
          execFile(process.execPath, ['--input-type=module', '-e', script, url], { timeout: 20_000 }, (error, stdout) => resolve({ code: error ? (error.code as number | null ?? null) : 0, stdout }));
        });
        expect(child, what).toEqual({ code: 0, stdout: 'ABORTED\n' });
      }
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('reads fs.openAsBlob(path), as the open() docs say', async () => {
    await expectModel(await openAsBlob(path));
  });
});
