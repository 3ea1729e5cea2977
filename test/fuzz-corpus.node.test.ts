// Replays the fuzz corpus (test/fuzz/corpus/<target>/) through each target's oracle: every seed and every fixed
// failure must give values equal to the reference decode (SIMD = scalar) or an allowed TensorzipError, within the
// memory bound. New inputs come from `npm run fuzz` (test/fuzz/pending/ until their bug is fixed).
import { describe, expect, it } from 'vitest';
import { CORPUS_ROOT, readInputs } from './fuzz/corpus';
import { createFuzzEngines } from './fuzz/engines';
import { runCase } from './fuzz/run-case';
import { TARGETS } from './fuzz/targets/index';

const engines = await createFuzzEngines();

describe.each(TARGETS.map((t) => [t.name, t] as const))('fuzz corpus: %s', (_, target) => {
  const inputs = readInputs(CORPUS_ROOT, target.name);

  it('has seed files', () => expect(inputs.length).toBeGreaterThan(0));

  it.each(inputs.map((f) => [f.file.slice(CORPUS_ROOT.length + 1), f.bytes] as const))('%s', async (_, bytes) => {
    const result = await runCase(target, engines, bytes);
    expect('signature' in result ? result.detail : 'passes').toBe('passes');
  });
});
