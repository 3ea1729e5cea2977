// LZ4 block decompressor (spec: lz4/lz4 doc/lz4_Block_format.md), safe for untrusted input.
//
// Safety: never reads outside [src, src + srcLen), never writes outside [dst, dst + dstCap), and lets a match reach
// back at most `history` bytes before `dst` (the previous blocks of a linked frame, or nothing). Every length is
// checked against what is left before it is used, so any input ends in a status, never a trap or a hang; the loop
// consumes at least one input byte per step. Bytes past the returned length, up to 15, may hold scratch.
// Speed: the fast loops run only where the window (`dst - history`) starts at address 65535 or above.

import { STATUS_CORRUPT, STATUS_OUTPUT_FULL, STATUS_TRUNCATED } from './status';
import { copy16, copyLiterals, copySteps } from './memops';
import { xxh32Buffered, xxh32CountStripes, xxh32StripeLanes, xxh32Update } from './xxhash32';

const MIN_MATCH: usize = 4;

// For each offset d in 1..15, the 16 lane indices i % d: a swizzle of the 16 bytes at `op - d` by row d spells the
// first 16 bytes of a match with period d (only lanes below d are read, all of them already written).
const PERIOD_LANES: usize = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
  0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0,
  0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
  0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0,
  0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3,
  0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6, 0, 1,
  0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4, 5, 6,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2, 3, 4, 5,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 1, 2, 3, 4,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 1, 2,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0, 1,
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0,
]);

// For each offset d in 1..15, the 16 lane indices (i + 16 mod d) mod d: a swizzle by row d turns 16 bytes of a
// period-d match into the 16 that follow them.
const ROTATION_LANES: usize = memory.data<u8>([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1,
  1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1,
  0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
  1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1,
  4, 5, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1,
  2, 3, 4, 5, 6, 0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3,
  0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7,
  7, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4,
  6, 7, 8, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1,
  5, 6, 7, 8, 9, 10, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
  4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5, 6, 7,
  3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0, 1, 2, 3, 4, 5,
  2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0, 1, 2, 3,
  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0, 1,
]);

/**
 * Copies a match of `length` bytes from `offset` back. Requires `dst + length ≤ dstEnd` and `offset` ≥ 1 within the
 * written output.
 */
// @ts-ignore: decorator
@inline function copyMatch(op: usize, offset: usize, length: usize, dstEnd: usize): void {
  const end = op + length;
  let from = op - offset;
  if (offset < 16) {
    // The match repeats with period `offset`, so it also repeats with any multiple of it. Write the first bytes
    // until the repeated part spans the smallest multiple ≥ 16; from then on, 16-byte copies never overlap.
    const period = offset * ((15 + offset) / offset);
    if (ASC_FEATURE_SIMD && op + 16 <= dstEnd) {
      let pattern = i8x16.swizzle(v128.load(from), v128.load(PERIOD_LANES + (offset << 4)));
      v128.store(op, pattern);
      if (length <= 16) return;
      op += 16;
      if (end + 16 <= dstEnd) {
        // Each next 16 bytes are the last 16 rotated by 16 mod offset: made in a register, never loaded back from
        // bytes just stored (a load overlapping two recent stores stalls on store forwarding).
        const rotation = v128.load(ROTATION_LANES + (offset << 4));
        do {
          pattern = i8x16.swizzle(pattern, rotation);
          v128.store(op, pattern);
          op += 16;
        } while (op < end);
        return;
      }
    } else {
      let head = period - offset;
      if (head > length) head = length;
      const headEnd = op + head;
      while (op < headEnd) {
        store<u8>(op, load<u8>(op - offset));
        op++;
      }
    }
    from = op - period;
  } else if (ASC_FEATURE_SIMD && offset < 48 && end + 16 <= dstEnd) {
    // Each next 16 bytes are the last `offset & 15` bytes of one earlier output vector and the first ones of the
    // vector after it, `offset >> 4` vectors back: joined in registers, never loaded back from bytes just stored (a
    // 16-byte load overlapping recent stores stalls on store forwarding: measured 3.7 GB/s at offset 20, 7.3 at 40).
    // A swizzle lane past 15 gives 0, so each lane comes from one of the two.
    const lanes = i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const tail = i8x16.add(lanes, i8x16.splat(<i8>(16 - (offset & 15))));
    const head = i8x16.sub(lanes, i8x16.splat(<i8>(offset & 15)));
    // The first vectors are bytes from `offset` back, all written before the match.
    let older = v128.load(op - 16);
    let old = v128.load(from);
    v128.store(op, old);
    op += 16;
    if (offset < 32) {
      while (op < end) {
        const next = v128.or(i8x16.swizzle(older, tail), i8x16.swizzle(old, head));
        v128.store(op, next);
        older = old;
        old = next;
        op += 16;
      }
    } else if (op < end) {
      let recent = v128.load(from, 16);
      v128.store(op, recent);
      op += 16;
      while (op < end) {
        const next = v128.or(i8x16.swizzle(older, tail), i8x16.swizzle(old, head));
        v128.store(op, next);
        older = old;
        old = recent;
        recent = next;
        op += 16;
      }
    }
    return;
  }
  if (end + 32 <= dstEnd) {
    // Room to spare: 32-byte steps, the last may run up to 31 bytes past the match. Most long matches (length 19–31:
    // 55% of them in code) take one step, so the loop's exit is well predicted (measured against 16-byte steps, block
    // decoder alone: code 3–4.5% faster).
    do {
      copy16(op, from);
      copy16(op + 16, from + 16);
      op += 32;
      from += 32;
    } while (op < end);
    return;
  }
  if (end + 16 <= dstEnd) {
    // Less room: whole 16-byte steps, the last may run up to 15 bytes past the match.
    copySteps(op, from, end);
    return;
  }
  while (op + 16 <= end) {
    copy16(op, from);
    op += 16;
    from += 16;
  }
  while (op < end) store<u8>(op++, load<u8>(from++));
}

/** Input and output the fast loop keeps in reserve: it starts no sequence within them. */
const FAST_SRC_MARGIN: usize = 40; // the plain loop reads up to 36 bytes from a token it starts (31 literals)
const FAST_DST_MARGIN: usize = 96; // a match starts at most 31 bytes past dstLimit and the loop may write 64 there

/**
 * Content hashing inside the plain loop (SIMD builds). A frame's content checksum costs a second pass over the output
 * when it is hashed after the block; the plain loop's hashing variant instead adds one 16-byte stripe to the xxHash32
 * lanes (`contentHash`, 0 when not hashing) every sequence, its chain running beside the loop's own and hidden behind
 * its latency, and leaves when the hash catches up with the output (plainLoopsHashing). What the plain loop does not
 * reach (the lookahead loop's output, the careful loop's) is hashed after the block. Measured, whole `lz4.decompress`
 * against foxglove, before → after: assemblyscript.js 0.985x → 1.33x, in 64 KiB blocks 0.977x → 1.26x, other code and
 * binaries +15–30%; text unchanged. (A first version tested readiness every sequence and picked the lanes with a
 * mask: the 64 KiB-block frame gained nothing, its short sequences paying for the select.)
 */
let contentHash: usize = 0;
/** Where the next stripe to hash starts. */
let hashPos: usize = 0;
/** A stripe is hashed once the output has passed its end by this much: its bytes are final (no copy writes before
 *  `op`), and stored long enough ago that the 16-byte load does not wait on store forwarding from smaller stores. */
const HASH_LAG: usize = 64;
/** Once the hash has caught up with the output, the loop runs without hashing until the output is this far ahead. */
const HASH_BACKLOG: usize = 512;

/** Where fastSequences stopped reading; its return value is where it stopped writing. */
let fastIp: usize = 0;

/** Extension bytes stop counting from here: no block can hold or produce 2^31 bytes (inputs and capacities are
 *  below it), so a longer length fails its checks as it should, where summing on could wrap to a small, wrong one. */
const LENGTH_CAP: usize = 0x80000000;

/** The largest offset LZ4 can express: from this far into the window on, every nonzero offset is valid. */
const MAX_OFFSET: usize = 65535;

/**
 * Decodes sequences while FAST_SRC_MARGIN input and FAST_DST_MARGIN output bytes remain past their start, copying in
 * 16-byte steps that may run past a sequence into that reserve. Where a sequence would reach into the reserve or has
 * an invalid offset, it stops at the start of that sequence; the careful loop takes over there and reports any error.
 * Kept apart from that loop, it has the registers to itself (measured: 5–10% faster on text and binaries).
 */
function fastSequences(ip: usize, op: usize, srcEnd: usize, dstEnd: usize, lowest: usize): usize {
  // The loops test a match's start `op - offset` against `lowest`, one compare fewer than testing the offset against
  // the window. That start cannot wrap below address 0 only when the window begins at MAX_OFFSET or above (the
  // facade's buffers all do); below it, everything is left to the careful loop.
  if (lowest < MAX_OFFSET) {
    fastIp = ip;
    return op;
  }
  const srcLimit = srcEnd - FAST_SRC_MARGIN;
  const dstLimit = dstEnd - FAST_DST_MARGIN;
  // Until the window holds MAX_OFFSET bytes, offsets are checked against it; after that only zero is invalid.
  // (A sequence that starts in the checked part may run on past it: a long literal run there must not hand the rest
  // of the block to the careful loop.)
  if (op - lowest < MAX_OFFSET) {
    op = alternateLoops(ip, op, srcLimit, min(dstLimit, lowest + MAX_OFFSET), dstLimit, dstEnd, lowest, true);
    ip = fastIp;
    if (op - lowest < MAX_OFFSET) return op; // stopped early: the careful loop goes on from there
  }
  return alternateLoops(ip, op, srcLimit, dstLimit, dstLimit, dstEnd, lowest, false);
}

/**
 * How the two loops take turns. The lookahead loop is the faster one where the sequences it leaves its inner loop for
 * (5 or more literals, or a match of 19 bytes or more) are rare (text: 0.5% of its sequences) and the slower one where
 * they are common (code, binaries: a quarter), as each of them costs it a mispredicted branch. So after a lookahead
 * run of LOOKAHEAD_LONG bytes or more, the plain loop takes one sequence and hands back; after a shorter one it runs
 * twice as long as last time, from PLAIN_RUN_FIRST up to PLAIN_RUN_MAX output bytes, and the lookahead loop is soon
 * tried only rarely.
 */
const LOOKAHEAD_LONG: usize = 4096;
const PLAIN_RUN_FIRST: usize = 64;
const PLAIN_RUN_MAX: usize = 65536;

/** Runs the plain and the lookahead loop by turns, starting sequences up to `opLimit` (at most dstLimit);
 *  `checkWindow` as in sequenceLoop. */
// @ts-ignore: decorator
@inline function alternateLoops(ip: usize, op: usize, srcLimit: usize, opLimit: usize, dstLimit: usize, dstEnd: usize,
  lowest: usize, checkWindow: bool): usize {
  let plainRun = PLAIN_RUN_FIRST;
  while (ip <= srcLimit && op <= opLimit) {
    const runLimit = op + min(opLimit - op, plainRun);
    if (ASC_FEATURE_SIMD && contentHash != 0) { // (the scalar build leaves the hashing variants out)
      op = plainLoopsHashing(ip, op, srcLimit, runLimit, lowest, dstLimit, dstEnd, checkWindow);
    } else {
      op = checkWindow
        ? plainLoopChecked(ip, op, srcLimit, runLimit, lowest, dstLimit, dstEnd)
        : plainLoop(ip, op, srcLimit, runLimit, lowest, dstLimit, dstEnd);
    }
    ip = fastIp;
    // Stopped inside its run: at a sequence for the careful loop, or at the input limit.
    if (op <= runLimit || ip > srcLimit || op > opLimit) return op;
    const lookaheadFrom = op;
    op = checkWindow
      ? lookaheadLoopChecked(ip, op, srcLimit, opLimit, lowest, dstLimit, dstEnd)
      : lookaheadLoop(ip, op, srcLimit, opLimit, lowest, dstLimit, dstEnd);
    ip = fastIp;
    plainRun = op - lookaheadFrom >= LOOKAHEAD_LONG ? 0 : min(max(plainRun << 1, PLAIN_RUN_FIRST), PLAIN_RUN_MAX);
  }
  fastIp = ip;
  return op;
}

/**
 * The plain loop up to `runLimit` while hashing: its hashing variant while the output is ahead of the hash, and the
 * plain variant for HASH_BACKLOG bytes each time the hash catches up. Returns as the plain loop does.
 */
// @ts-ignore: decorator
@inline function plainLoopsHashing(ip: usize, op: usize, srcLimit: usize, runLimit: usize, lowest: usize,
  dstLimit: usize, dstEnd: usize, checkWindow: bool): usize {
  while (true) {
    if (op >= hashPos + HASH_LAG) {
      op = checkWindow
        ? plainLoopCheckedHashing(ip, op, srcLimit, runLimit, lowest, dstLimit, dstEnd)
        : plainLoopHashing(ip, op, srcLimit, runLimit, lowest, dstLimit, dstEnd);
      ip = fastIp;
      // Stopped with the hash still behind: at a sequence for the careful loop, or at a limit.
      if (op >= hashPos + HASH_LAG) break;
    } else {
      const backlogLimit = min(runLimit, hashPos + HASH_LAG + HASH_BACKLOG);
      op = checkWindow
        ? plainLoopChecked(ip, op, srcLimit, backlogLimit, lowest, dstLimit, dstEnd)
        : plainLoop(ip, op, srcLimit, backlogLimit, lowest, dstLimit, dstEnd);
      ip = fastIp;
      if (op <= backlogLimit) break; // stopped inside its run: at a sequence for the careful loop, or at the input limit
    }
    if (ip > srcLimit || op > runLimit) break;
  }
  return op;
}

// sequenceLoop's six variants, each a function of its own: each loop gets its own registers, so the plain loop's
// code is the same as if the lookahead loop did not exist. The parameters the loops test every step come first: V8
// passes the last ones on the stack (measured: `lowest` last cost 64 KiB blocks of code up to 4%).
function plainLoop(ip: usize, op: usize, srcLimit: usize, runLimit: usize, lowest: usize, dstLimit: usize,
  dstEnd: usize): usize {
  return sequenceLoop<u32>(ip, op, srcLimit, runLimit, lowest, dstLimit, dstEnd, false, false);
}
function plainLoopChecked(ip: usize, op: usize, srcLimit: usize, runLimit: usize, lowest: usize, dstLimit: usize,
  dstEnd: usize): usize {
  return sequenceLoop<u32>(ip, op, srcLimit, runLimit, lowest, dstLimit, dstEnd, true, false);
}
function plainLoopHashing(ip: usize, op: usize, srcLimit: usize, runLimit: usize, lowest: usize, dstLimit: usize,
  dstEnd: usize): usize {
  return sequenceLoop<v128>(ip, op, srcLimit, runLimit, lowest, dstLimit, dstEnd, false, false);
}
function plainLoopCheckedHashing(ip: usize, op: usize, srcLimit: usize, runLimit: usize, lowest: usize, dstLimit: usize,
  dstEnd: usize): usize {
  return sequenceLoop<v128>(ip, op, srcLimit, runLimit, lowest, dstLimit, dstEnd, true, false);
}
function lookaheadLoop(ip: usize, op: usize, srcLimit: usize, runLimit: usize, lowest: usize, dstLimit: usize,
  dstEnd: usize): usize {
  return sequenceLoop<u32>(ip, op, srcLimit, runLimit, lowest, dstLimit, dstEnd, false, true);
}
function lookaheadLoopChecked(ip: usize, op: usize, srcLimit: usize, runLimit: usize, lowest: usize, dstLimit: usize,
  dstEnd: usize): usize {
  return sequenceLoop<u32>(ip, op, srcLimit, runLimit, lowest, dstLimit, dstEnd, true, true);
}

/** The lookahead loop stops at a sequence with 5 or more literals or a match of 19 bytes or more (both leave its inner
 *  loop; the plain loop keeps most of them) this close after its start or the last such one. Counting the long matches
 *  too cut code's bytes in the lookahead loop from 7% to under 0.1%. */
const LOOKAHEAD_MISS_GAP: usize = 256;

/** A match of at most 18 bytes from at least 8 back: 8 + 8 + 2 bytes, each copy reading finished bytes. */
// @ts-ignore: decorator
@inline function copyShortMatch(op: usize, from: usize): void {
  store<u64>(op, load<u64>(from));
  store<u64>(op, load<u64>(from, 8), 8);
  store<u16>(op, load<u16>(from, 16), 16);
}

/**
 * The loops of fastSequences; `checkWindow` and `lookahead` are constants at each call. `checkWindow` keeps or drops
 * the offset-against-window test. The loop stops once op passes `runLimit` (at most dstLimit). With `lookahead`, the
 * common sequence's loop handles only sequences with at most 4 literals, and the loop stops where others come close
 * together (LOOKAHEAD_MISS_GAP). `Lanes` is v128 where the plain loop hashes as it goes (see contentHash), u32
 * (unused) elsewhere: a type parameter rather than a flag, so that the scalar build never compiles the v128 code.
 */
// @ts-ignore: decorator
@inline function sequenceLoop<Lanes>(ip: usize, op: usize, srcLimit: usize, runLimit: usize, lowest: usize,
  dstLimit: usize, dstEnd: usize, checkWindow: bool, lookahead: bool): usize {
  let lastMiss = op; // lookahead only: where the last sequence it had to leave its inner loop for was
  while (ip <= srcLimit && op <= runLimit) {
    if (lookahead) {
      // The common sequence with at most 4 literals. Its next token is byte `literals + 3` of the 8 bytes loaded at
      // this one, so finding it waits for a shift rather than for a load at an address that waits for this token:
      // a step of the token chain takes ~4 cycles instead of ~6, which is what bounds text-like data.
      let token = <usize>load<u8>(ip);
      do {
        if (token >= 0x50) break;
        const literals = token >> 4;
        const window = load<u64>(ip);
        copy16(op, ip + 1);
        const offset = <usize>load<u16>(ip + literals, 1);
        const length = token & 15;
        if (length == 15) break;
        if (offset < 8) break;
        const matchOp = op + literals;
        const from = matchOp - offset;
        if (checkWindow && from < lowest) break;
        copyShortMatch(matchOp, from);
        token = <usize>((window >> 24) >> (literals << 3)) & 0xFF;
        ip += literals + 3;
        op = matchOp + length + MIN_MATCH;
      } while (<i32>((srcLimit - ip) | (runLimit - op)) >= 0);
      if (ip > srcLimit || op > runLimit) break;
      if (token >= 0x50 || (token & 15) == 15) {
        if (op - lastMiss < LOOKAHEAD_MISS_GAP) break;
        lastMiss = op;
      }
    } else {
      // The common sequence (literals under 32, offset at least 8, match length under 15 or, from 16 back, at most
      // 64) in a loop of its own, which has few live values and one exit test per step (measured against one loop
      // for all: code and structured binaries 4–10% faster, 64 KiB blocks 11%, text −2% to +20% depending on where V8
      // places the code). It leaves ip and op at the token and first output byte of any other sequence, for the path
      // below.
      let lanes: Lanes = isVector<Lanes>() ? v128.load(contentHash) : <Lanes>0;
      let hashed = hashPos; // hashing only: the loop starts and goes on only while hashed + HASH_LAG <= op
      do {
        if (isVector<Lanes>()) {
          lanes = xxh32StripeLanes(lanes, v128.load(hashed));
          hashed += 16;
        }
        const token = <usize>load<u8>(ip);
        let literals = token >> 4;
        let next = ip + 1;
        if (literals == 15) {
          // 15–31 literals (1–2% of code's sequences) in two 16-byte steps, rather than leaving the loop for them
          // (measured, block decoder alone: code 1.01–1.08x).
          const more = <usize>load<u8>(next);
          if (more > 16) break;
          literals += more;
          next++;
          copy16(op + 16, next + 16);
        }
        copy16(op, next);
        next += literals;
        const offset = <usize>load<u16>(next);
        const length = token & 15;
        if (offset < 8) break;
        const matchOp = op + literals;
        const from = matchOp - offset;
        if (checkWindow && from < lowest) break;
        if (length != 15) {
          copyShortMatch(matchOp, from);
          ip = next + 2;
          op = matchOp + length + MIN_MATCH;
        } else {
          // Matches of 19–64 bytes are ~10% of the sequences in code: copied here as 64 bytes, they stay in the
          // loop instead of leaving it for the path below (measured: binaryen's index.js 1.10x, other code 1.01–1.03x).
          // From 16 back, each 16-byte step reads only bytes written before it. Less than 64 back, a step may wait
          // for the one before it to be stored, still cheaper than leaving the loop (code 1.03–1.065x).
          const extra = <usize>load<u8>(next, 2);
          if (extra > 44 || offset < 16) break;
          copy16(matchOp, from);
          copy16(matchOp + 16, from + 16);
          copy16(matchOp + 32, from + 32);
          copy16(matchOp + 48, from + 48);
          ip = next + 3;
          op = matchOp + 19 + extra;
        }
        // The limits in one test: a difference turns negative once its pointer passes its limit. (A block of 2 GiB
        // or more could look negative too; that only hands the rest to the careful loop.) Hashing, the loop also
        // stops where the next stripe is not yet HASH_LAG behind op.
      } while (<i32>((srcLimit - ip) | (runLimit - op) | (isVector<Lanes>() ? op - hashed - HASH_LAG : 0)) >= 0);
      if (isVector<Lanes>()) {
        v128.store(contentHash, lanes);
        hashPos = hashed;
        if (op < hashed + HASH_LAG) break;
      }
      if (ip > srcLimit || op > runLimit) break;
    }
    // Any other sequence.
    const token = <usize>load<u8>(ip);
    let literals = token >> 4;
    let length = token & 15;
    let next = ip + 1;
    if (literals < 15) {
      copy16(op, next);
    } else {
      let b: usize;
      do {
        b = <usize>load<u8>(next++);
        literals += b;
      } while (b == 255 && next < srcLimit && literals < LENGTH_CAP);
      if (next >= srcLimit || literals > srcLimit - next || literals > dstLimit - op) break;
      copySteps(op, next, op + literals);
    }
    next += literals;
    const matchOp = op + literals;
    // Now next ≤ srcLimit + 15 and matchOp ≤ dstLimit + 14: the offset is inside the input.
    const offset = <usize>load<u16>(next);
    next += 2;
    if (offset == 0 || (checkWindow && offset > matchOp - lowest)) break;
    if (length == 15) {
      let b: usize;
      do {
        b = <usize>load<u8>(next++);
        length += b;
      } while (b == 255 && next < srcLimit && length < LENGTH_CAP);
      if (next >= srcLimit) break;
    }
    length += MIN_MATCH;
    if (length > dstEnd - matchOp) break;
    copyMatch(matchOp, offset, length, dstEnd);
    ip = next;
    op = matchOp + length;
  }
  fastIp = ip;
  return op;
}

/** Where extendLength stopped reading. */
let lengthEnd: usize = 0;
/** extendLength's answer when the input ends inside the length. */
const TRUNCATED_LENGTH: usize = <usize>-1;

/** `length` plus the extension bytes at `ip` (each 255 means another follows; at most LENGTH_CAP), for the careful
 *  loop; sets lengthEnd, or returns TRUNCATED_LENGTH when the input ends first. */
// @ts-ignore: decorator
@inline function extendLength(length: usize, ip: usize, srcEnd: usize): usize {
  let b: usize;
  do {
    if (ip >= srcEnd) return TRUNCATED_LENGTH;
    b = <usize>load<u8>(ip++);
    length += b;
  } while (b == 255 && length < LENGTH_CAP);
  lengthEnd = ip;
  return length;
}

/**
 * Decompresses the LZ4 block of `srcLen` bytes at `src` into `dst`. Returns the decoded size, or STATUS_TRUNCATED (the
 * block ends inside a sequence), STATUS_CORRUPT (zero offset, or an offset before the available history), or
 * STATUS_OUTPUT_FULL (the decoded data would pass `dstCap`). With a `hashState` (an xxHash32 state, 0 for none), the
 * decoded bytes are added to it, as xxh32Update would; after a failure the state is unusable.
 */
export function lz4DecompressBlock(src: usize, srcLen: usize, dst: usize, dstCap: usize, history: usize,
  hashState: usize): i32 {
  // The loop hashes whole stripes, so only from a stripe boundary; after a partial stripe, all is hashed at the end.
  contentHash = ASC_FEATURE_SIMD && hashState != 0 && xxh32Buffered(hashState) == 0 ? hashState : 0;
  hashPos = dst;
  const size = decodeBlock(src, srcLen, dst, dstCap, history);
  if (size >= 0 && hashState != 0) {
    xxh32CountStripes(hashState, hashPos - dst);
    xxh32Update(hashState, hashPos, dst + <usize>size - hashPos);
  }
  return size;
}

function decodeBlock(src: usize, srcLen: usize, dst: usize, dstCap: usize, history: usize): i32 {
  let ip = src;
  const srcEnd = src + srcLen;
  let op = dst;
  const dstEnd = dst + dstCap;
  const lowest = dst - history;
  if (dstCap > <usize>i32.MAX_VALUE) return STATUS_OUTPUT_FULL;
  if (srcLen == 0) return STATUS_TRUNCATED;
  if (srcLen > FAST_SRC_MARGIN && dstCap > FAST_DST_MARGIN) {
    op = fastSequences(ip, op, srcEnd, dstEnd, lowest);
    ip = fastIp;
  }
  // Invariant at the top of the loop: ip < srcEnd.
  while (true) {
    const token = <usize>load<u8>(ip++);
    let literals = token >> 4;
    let length = token & 15;
    if (literals == 15) {
      literals = extendLength(literals, ip, srcEnd);
      if (literals == TRUNCATED_LENGTH) return STATUS_TRUNCATED;
      ip = lengthEnd;
    }
    if (literals > srcEnd - ip) return STATUS_TRUNCATED;
    if (literals > dstEnd - op) return STATUS_OUTPUT_FULL;
    copyLiterals(op, ip, literals, dstEnd, srcEnd);
    ip += literals;
    op += literals;
    if (ip == srcEnd) return <i32>(op - dst); // the last sequence carries literals only
    if (srcEnd - ip < 2) return STATUS_TRUNCATED;
    const offset = <usize>load<u16>(ip);
    ip += 2;
    if (offset == 0 || offset > op - lowest) return STATUS_CORRUPT;
    if (length == 15) {
      length = extendLength(length, ip, srcEnd);
      if (length == TRUNCATED_LENGTH) return STATUS_TRUNCATED;
      ip = lengthEnd;
    }
    length += MIN_MATCH;
    if (length > dstEnd - op) return STATUS_OUTPUT_FULL;
    copyMatch(op, offset, length, dstEnd);
    op += length;
    if (ip >= srcEnd) return STATUS_TRUNCATED; // a block cannot end with a match
  }
  return 0; // unreachable: the loop only returns
}
