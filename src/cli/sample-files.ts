// --inputs and --calibrate: sample inputs as .npy files, one per model input, named `name=path.npy` or by the file's
// base name (`input_1.npy` feeds the input "input_1").
import { basename } from 'node:path';
import { npy, type TensorInput } from '../index';
import { readFile } from './files';

export function readSampleInputs(files: readonly string[]): Record<string, TensorInput> {
  const inputs: Record<string, TensorInput> = Object.create(null);
  for (const file of files) {
    const at = file.indexOf('=');
    const [name, path] = at > 0 && !file.slice(0, at).includes('/') ? [file.slice(0, at), file.slice(at + 1)] : [basename(file, '.npy'), file];
    inputs[name] = npy.read(readFile(path));
  }
  return inputs;
}
