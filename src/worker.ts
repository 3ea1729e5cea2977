// The entry of the code every worker runs (scripts/build.mjs bundles it into src/parallel/generated/worker.ts): the
// pool's message loop, with the tasks of the layers above it. Like src/index.ts, it only wires.
import { DECODE_TENSORS_TASK, decodeTensorsTask } from './format/decode-on-workers';
import { ENCODE_TENSOR_TASK, encodeTensorTask } from './format/encode-on-workers';
import { serveWorker } from './parallel/worker-main';

serveWorker({ [ENCODE_TENSOR_TASK]: encodeTensorTask }, { [DECODE_TENSORS_TASK]: decodeTensorsTask });
