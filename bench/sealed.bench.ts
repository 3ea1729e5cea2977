// Decoding a ≥ 50 MB archive plain, verified against a signature, and decrypted (issue 24's target: ≥ 1 GB/s on one
// thread and ≥ 70% of the plain decode). The archives: face-api's 7 TF.js models (the float32 values TF.js computes
// from the shipped uint8 codes) as float32 lossless, and as int8 codes (pack's `int8`), each packed three ways' worth:
// plain (and signed with Ed25519, 64 KiB blocks), and encrypted with a key. Each run is a fresh Node process that
// measures one archive one way cold (open + get of every tensor right after init()), then all three ways warm, taking
// turns, the median of BENCH_WARM rounds: warm ratios are always of the same process. Warm twice: getAll() into new
// arrays (whose first-touch page faults are much of the time on this VM), and get(name, { out }) into arrays allocated
// once. Medians over BENCH_PROCESSES processes per way (default 5). Also: signing and verifying the signed
// payload once the block hashes are known (Ed25519 over ~30 KB of JSON), and open() alone of each.
// Run: node scripts/bench.mjs sealed
import { execFileSync } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { generateKeyPair, init, open, pack, sign, tfjs, type OpenOptions, type TensorArray, type TensorInput } from 'tensorzip';
import { isChild, median } from './fresh-processes';
import { faceApiWeights } from '../test/helpers/face-api';

const PROCESSES = Number(process.env.BENCH_PROCESSES ?? 5);
const WARM = Number(process.env.BENCH_WARM ?? 5);
const DIR = 'build/bench/sealed';
const ARCHIVES = { 'float32 lossless': 'lossless', 'int8 codes': 'int8' } as const;
type ArchiveKind = keyof typeof ARCHIVES;
const filesOf = (kind: ArchiveKind) => {
  const stem = `${DIR}/face-api-${ARCHIVES[kind]}`;
  return { plain: `${stem}.tzip`, signature: `${stem}.tzip.sig`, publicKey: `${DIR}/ed25519.public.jwk`, sealed: `${stem}-sealed.tzip`, key: `${DIR}/secret.key` };
};
type Files = Record<keyof ReturnType<typeof filesOf>, Uint8Array>;
const readFiles = (kind: ArchiveKind) => Object.fromEntries(Object.entries(filesOf(kind)).map(([k, f]) => [k, new Uint8Array(readFileSync(f))])) as Files;
const WAYS = ['plain', 'verify + decode', 'decrypt + decode'] as const;
type Way = typeof WAYS[number];

interface Timing { ms: number; cpuMs: number }
interface ChildRun { archive: ArchiveKind; way: Way; cold: Timing; warm: Record<Way, Timing>; into: Record<Way, Timing> }
/** Each tensor's output, allocated and touched once: decoding into them pays no first-touch page faults. */
type Outputs = Record<string, TensorArray>;

/** Opens the archive the way `way` reads it and decodes every tensor (into `outputs` when given). */
function decodeAll(way: Way, files: Files, outputs?: Outputs): () => Promise<void> {
  const options: OpenOptions & Record<string, unknown> = way === 'plain' ? {}
    : way === 'verify + decode' ? { publicKey: JSON.parse(new TextDecoder().decode(files.publicKey)), signature: files.signature }
      : { decrypt: { key: files.key } };
  const bytes = way.startsWith('decrypt') ? files.sealed : files.plain;
  return async () => {
    const archive = await open(bytes, options);
    if (outputs === undefined) await archive.getAll();
    else for (const t of archive.tensors) await archive.get(t.name, { out: outputs[t.name] });
  };
}

async function timed(task: () => Promise<void>): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await task();
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { ms, cpuMs: (used.user + used.system) / 1000 };
}

if (isChild()) {
  const way = process.env.SEALED_WAY as Way;
  const archive = process.env.SEALED_ARCHIVE as ArchiveKind;
  const files = readFiles(archive);
  await init();
  const cold = await timed(decodeAll(way, files));
  const rounds = Object.fromEntries(WAYS.map((w) => [w, [] as Timing[]])) as Record<Way, Timing[]>;
  const outputs: Outputs = Object.fromEntries(Object.entries(await (await open(files.plain)).getAll()).map(([name, t]) => [name, t.data]));
  const into = Object.fromEntries(WAYS.map((w) => [w, [] as Timing[]])) as Record<Way, Timing[]>;
  for (let r = 0; r < WARM; r++) {
    for (const w of WAYS) {
      rounds[w].push(await timed(decodeAll(w, files)));
      into[w].push(await timed(decodeAll(w, files, outputs)));
    }
  }
  const mid = (ts: Timing[]) => ({ ms: median(ts.map((t) => t.ms)), cpuMs: median(ts.map((t) => t.cpuMs)) });
  const mids = (r: Record<Way, Timing[]>) => Object.fromEntries(WAYS.map((w) => [w, mid(r[w])]));
  console.log(JSON.stringify({ archive, way, cold, warm: mids(rounds), into: mids(into) }));
  process.exit(0);
}

async function makeFiles(): Promise<void> {
  mkdirSync(DIR, { recursive: true });
  if (Object.keys(ARCHIVES).every((kind) => Object.values(filesOf(kind as ArchiveKind)).every(existsSync))) return;
  const tensors: Record<string, TensorInput> = await faceApiWeights((model) => tfjs.read(model));
  const key = crypto.getRandomValues(new Uint8Array(32));
  const { publicKey, privateKey } = await generateKeyPair();
  writeFileSync(`${DIR}/ed25519.public.jwk`, JSON.stringify(publicKey));
  writeFileSync(`${DIR}/secret.key`, key);
  for (const [kind, quantize] of Object.entries(ARCHIVES)) {
    const files = filesOf(kind as ArchiveKind);
    const plain = await pack(tensors, { quantize });
    writeFileSync(files.plain, plain);
    writeFileSync(files.signature, await sign(plain, privateKey));
    writeFileSync(files.sealed, await pack(tensors, { quantize, encrypt: { key } }));
  }
}

const medianOf = async (n: number, task: () => Promise<unknown>) => {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await task();
    times.push(performance.now() - t);
  }
  return median(times);
};

/** Ed25519 over the signature's payload (the block hashes already known), and its check as open() does it. */
async function payloadTimes(): Promise<{ payloadBytes: number; signMs: number; verifyMs: number }> {
  const { publicKey, privateKey } = await generateKeyPair();
  const plain = new Uint8Array(readFileSync(filesOf('float32 lossless').plain));
  const signature = await sign(plain, privateKey);
  const payload = signature.slice(0, signature.indexOf(0x0a)) as Uint8Array<ArrayBuffer>;
  const signingKey = await crypto.subtle.importKey('jwk', privateKey, { name: 'Ed25519' }, false, ['sign']);
  const verifyingKey = await crypto.subtle.importKey('jwk', publicKey, { name: 'Ed25519' }, false, ['verify']);
  const signed = await crypto.subtle.sign('Ed25519', signingKey, payload);
  const signMs = await medianOf(21, () => crypto.subtle.sign('Ed25519', signingKey, payload));
  const verifyMs = await medianOf(21, async () => {
    if (!(await crypto.subtle.verify('Ed25519', verifyingKey, signed, payload))) throw new Error('does not verify');
    JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  });
  return { payloadBytes: payload.length, signMs, verifyMs };
}

/** AES-256-GCM decrypt alone, per call and per byte: through WebCrypto, and through node:crypto (what tensorzip uses
 *  in Node, see src/format/node-crypto.ts). */
async function gcmAlone(): Promise<{ api: string; bytes: number; usPerCall: number; MBps: number }[]> {
  const raw = new Uint8Array(32);
  const gcmKey = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
  const out = [];
  for (const bytes of [256, 4096, 65536, 1 << 20]) {
    const iv = new Uint8Array(12);
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, gcmKey, new Uint8Array(bytes)));
    const calls = Math.max(16, Math.min(1000, (32 << 20) / bytes));
    const ways: [string, () => Promise<unknown> | unknown][] = [
      ['WebCrypto', () => crypto.subtle.decrypt({ name: 'AES-GCM', iv }, gcmKey, sealed)],
      ['node:crypto', () => {
        const decipher = createDecipheriv('aes-256-gcm', raw, iv, { authTagLength: 16 });
        decipher.setAuthTag(sealed.subarray(bytes));
        decipher.update(sealed.subarray(0, bytes));
        decipher.final();
      }],
    ];
    for (const [api, decrypt] of ways) {
      const ms = await medianOf(5, async () => {
        for (let i = 0; i < calls; i++) await decrypt();
      });
      out.push({ api, bytes, usPerCall: ms * 1e3 / calls, MBps: bytes * calls / ms / 1e3 });
    }
  }
  return out;
}

await makeFiles();
await init();
const load = { start: loadavg()[0] };
const runs: ChildRun[] = [];
for (let p = 0; p < PROCESSES; p++) {
  for (const archive of Object.keys(ARCHIVES)) {
    for (const way of WAYS) {
      const env = { ...process.env, TENSORZIP_BENCH_CHILD: '1', SEALED_WAY: way, SEALED_ARCHIVE: archive };
      const out = execFileSync(process.execPath, [process.argv[1]!], { env, encoding: 'utf8', maxBuffer: 1 << 26 });
      runs.push(JSON.parse(out.trim().split('\n').pop()!) as ChildRun);
    }
  }
}
const payload = await payloadTimes();
const gcm = await gcmAlone();
const files = readFiles('float32 lossless');
for (let i = 0; i < 3; i++) await Promise.all([open(files.plain), open(files.sealed, { decrypt: { key: files.key } })]); // warm-up
const openMs = {
  plain: await medianOf(11, () => open(files.plain)),
  'verify (signature, prefix/index/footer blocks)': await medianOf(11, () => open(files.plain, { publicKey: JSON.parse(new TextDecoder().decode(files.publicKey)), signature: files.signature })),
  'decrypt (key check, index)': await medianOf(11, () => open(files.sealed, { decrypt: { key: files.key } })),
};
const loadEnd = loadavg()[0];

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const archives = [];
for (const kind of Object.keys(ARCHIVES) as ArchiveKind[]) {
  const kindFiles = readFiles(kind);
  const archive = await open(kindFiles.plain);
  const decodedMB = archive.tensors.reduce((n, t) => n + t.decodedBytes, 0) / 1e6;
  const mbps = (ms: number) => decodedMB / ms * 1e3;
  const ofKind = runs.filter((r) => r.archive === kind);
  const rows = WAYS.map((way) => {
    const cold = median(ofKind.filter((r) => r.way === way).map((r) => r.cold.ms));
    const coldPlain = median(ofKind.filter((r) => r.way === 'plain').map((r) => r.cold.ms));
    const warm = median(ofKind.map((r) => r.warm[way].ms));
    const warmRatio = median(ofKind.map((r) => r.warm.plain.ms / r.warm[way].ms));
    return {
      way, coldMs: cold, coldMBps: mbps(cold), coldVsPlain: coldPlain / cold,
      warmMs: warm, warmMBps: mbps(warm), warmVsPlainSameProcess: warmRatio,
      // CPU time of the process (all its threads: WebCrypto's too), which other jobs on the machine do not inflate.
      warmCpuMs: median(ofKind.map((r) => r.warm[way].cpuMs)), warmCpuMBps: mbps(median(ofKind.map((r) => r.warm[way].cpuMs))),
      warmCpuVsPlainSameProcess: median(ofKind.map((r) => r.warm.plain.cpuMs / r.warm[way].cpuMs)),
      intoMBps: mbps(median(ofKind.map((r) => r.into[way].ms))),
      intoVsPlainSameProcess: median(ofKind.map((r) => r.into.plain.ms / r.into[way].ms)),
    };
  });
  archives.push({ kind, tensors: archive.tensors.length, decodedMB, plainBytes: kindFiles.plain.length, sealedBytes: kindFiles.sealed.length, signatureBytes: kindFiles.signature.length, rows });
}

const result = {
  date: new Date().toISOString(), node: process.version, cpu: cpus()[0]?.model, cores: cpus().length,
  loadAverage1m: { start: load.start, end: loadEnd }, processes: PROCESSES, warmRounds: WARM,
  archives, payload, openMs, aesGcmDecryptAlone: gcm, runs,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/sealed.json', `${JSON.stringify(result, null, 2)}\n`);
console.log(`load ${load.start.toFixed(1)}–${loadEnd.toFixed(1)}`);
for (const a of archives) {
  console.log(`\nface-api, ${a.kind}: ${a.tensors} tensors, ${a.decodedMB.toFixed(1)} MB decoded, file ${(a.plainBytes / 1e6).toFixed(2)} MB, encrypted +${a.sealedBytes - a.plainBytes} bytes\n`);
  console.log('| way | cold ms | cold MB/s | cold / plain | warm ms | warm MB/s | warm / plain (same process) | warm CPU ms | MB/s per CPU second | CPU: plain / way (same process) | into preallocated MB/s | into: / plain (same process) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of a.rows) {
    console.log(`| ${r.way} | ${r.coldMs.toFixed(0)} | ${r.coldMBps.toFixed(0)} | ${pct(r.coldVsPlain)} | ${r.warmMs.toFixed(0)} | ${r.warmMBps.toFixed(0)} | ${pct(r.warmVsPlainSameProcess)} | ${r.warmCpuMs.toFixed(0)} | ${r.warmCpuMBps.toFixed(0)} | ${pct(r.warmCpuVsPlainSameProcess)} | ${r.intoMBps.toFixed(0)} | ${pct(r.intoVsPlainSameProcess)} |`);
  }
}
console.log(`\nEd25519 over the ${payload.payloadBytes}-byte signed payload: sign ${payload.signMs.toFixed(2)} ms, verify + parse ${payload.verifyMs.toFixed(2)} ms`);
for (const api of ['WebCrypto', 'node:crypto']) {
  console.log(`${api} AES-256-GCM decrypt alone: ${gcm.filter((g) => g.api === api).map((g) => `${g.bytes} B: ${g.usPerCall.toFixed(1)} µs/call, ${g.MBps.toFixed(0)} MB/s`).join('; ')}`);
}
console.log(`open() alone: ${Object.entries(openMs).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join('; ')}`);
