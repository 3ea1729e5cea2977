// One input through one target: the outcome, or the failure's signature and detail.
import { FuzzFailure, shapeOf, type Engines, type FuzzTarget } from './target';

export type CaseResult = { outcome: string } | { signature: string; detail: string };

export async function runCase(target: FuzzTarget, engines: Engines, bytes: Uint8Array): Promise<CaseResult> {
  try {
    return { outcome: await target.run(engines, bytes) };
  } catch (err) {
    if (err instanceof FuzzFailure) return { signature: `${target.name}: ${err.signature}`, detail: err.message };
    // The oracle itself tripped on what the decoder returned (e.g. a tensor without a shape).
    const e = err as Error;
    return { signature: `${target.name}: oracle tripped: ${e?.name}: ${shapeOf(String(e?.message))}`, detail: String(e?.stack ?? e) };
  }
}
