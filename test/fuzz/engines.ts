// The SIMD and scalar engines the fuzz targets compare, with their WebAssembly memories in sight: the memory check
// counts each memory's growth during a call.
import { createEngine } from '../../src/index';
import type { Engines } from './target';

const memories: WebAssembly.Memory[] = [];

export function wasmMemoryBytes(): number {
  return memories.reduce((n, m) => n + m.buffer.byteLength, 0);
}

/** New engines whose instances' memories wasmMemoryBytes() counts. */
export async function createFuzzEngines(): Promise<Engines> {
  const instantiate = WebAssembly.instantiate;
  const watch = async (...args: unknown[]) => {
    const made = await (instantiate as (...a: unknown[]) => Promise<WebAssembly.Instance | WebAssembly.WebAssemblyInstantiatedSource>)(...args);
    const instance = made instanceof WebAssembly.Instance ? made : made.instance;
    memories.push(instance.exports.memory as WebAssembly.Memory);
    return made;
  };
  WebAssembly.instantiate = watch as typeof WebAssembly.instantiate;
  try {
    return { simd: await createEngine({ simd: true }), scalar: await createEngine({ simd: false }) };
  } finally {
    WebAssembly.instantiate = instantiate;
  }
}
