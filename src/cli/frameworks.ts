// The frameworks the CLI runs models with, loaded when a command needs them: onnxruntime-node for ONNX models,
// @tensorflow/tfjs-core with its CPU backend and tfjs-converter for TF.js graph models. They are not dependencies of
// tensorzip: a missing one is UNSUPPORTED, with the npm command that installs it.
import { TensorzipError, type Framework } from '../index';

// A specifier in a variable: the CLI bundle leaves the import to run time.
const importPackage = (name: string): Promise<Record<string, unknown>> => import(name);

async function required(names: string[], what: string): Promise<Record<string, unknown>[]> {
  try {
    return await Promise.all(names.map(importPackage));
  } catch (cause) {
    throw new TensorzipError('UNSUPPORTED', `${what} needs ${names.join(', ')} installed (npm install ${names.join(' ')}): ${(cause as Error).message.split('\n')[0]}`, { cause });
  }
}

/** The framework for an archive's model kind; null for kinds that do not run (weights only, TF.js layers). */
export async function loadFramework(kind: string | undefined, what: string): Promise<Framework | null> {
  if (kind === 'onnx') {
    const [ort] = await required(['onnxruntime-node'], what);
    return { ort: (ort.default ?? ort) as never };
  }
  if (kind === 'tfjs-graph') {
    const [core, , converter] = await required(['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-converter'], what);
    await (core.setBackend as (name: string) => Promise<boolean>)('cpu');
    return { tf: { ...core, loadGraphModel: converter.loadGraphModel } as never };
  }
  return null;
}
