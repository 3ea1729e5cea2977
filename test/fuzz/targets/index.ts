// Every fuzz target, by the name of its corpus folder.
import type { FuzzTarget } from '../target';
import { container } from './container';
import { entropy } from './entropy';
import { gguf } from './gguf';
import { huffmanContext } from './huffman-context';
import { huffmanStage } from './huffman-stage';
import { lz4Block } from './lz4-block';
import { lz4Frame } from './lz4-frame';
import { npy } from './npy';
import { onnx } from './onnx';
import { quant } from './quant';
import { rans, ransLanes } from './rans';
import { safetensors } from './safetensors';
import { sealed } from './sealed';
import { shuffle } from './shuffle';
import { sparse } from './sparse';
import { tfjs } from './tfjs';

export const TARGETS: readonly FuzzTarget[] = [lz4Frame, lz4Block, entropy, huffmanStage, huffmanContext, rans, ransLanes, container, sealed, sparse, shuffle, quant, safetensors, npy, gguf, tfjs, onnx];
