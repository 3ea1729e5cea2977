// Runs the vitest test files under `deno test`: describe/it register Deno tests, and expect is vitest's own
// (chai with @vitest/expect's matchers), so assertions mean the same in every runtime. Only what the shared test
// files use is here; test/deno/deno.json maps 'vitest' to this file.
import { JestAsymmetricMatchers, JestChaiExpect, JestExtend, chai } from '@vitest/expect';

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

export const expect = (value: unknown, message?: string) => chai.expect(value, message);

type Body = () => unknown;
const prefix: string[] = [];
const format = (name: string, args: unknown[]) => {
  let i = 0;
  return name.replace(/%[sdi]/g, () => String(args[i++]));
};

export function it(name: string, body: Body): void {
  Deno.test([...prefix, name].join(' > '), async () => {
    await body();
  });
}
it.each = <T>(cases: readonly T[]) => (name: string, body: (...args: any[]) => unknown) => {
  for (const c of cases) {
    const args = Array.isArray(c) ? c : [c];
    it(format(name, args), () => body(...args));
  }
};

export function describe(name: string, body: () => void): void {
  prefix.push(name);
  try {
    body();
  } finally {
    prefix.pop();
  }
}
describe.skipIf = (condition: unknown) => (name: string, body: () => void) => {
  if (!condition) describe(name, body);
};
describe.each = <T>(cases: readonly T[]) => (name: string, body: (...args: any[]) => void) => {
  for (const c of cases) {
    const args = Array.isArray(c) ? c : [c];
    describe(format(name, args), () => body(...args));
  }
};

export const test = it;
