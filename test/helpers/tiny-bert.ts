// A tiny BERT-shaped model (hidden size 64, large enough for int8 to apply) in the layout transformers.js loads (config.json, tokenizer files, onnx/model.onnx), built
// here because no npm package ships one: embeddings of a 21-word WordPiece vocabulary, a dense layer and tanh.
// Its ONNX graph is written with protobufjs from a subset of onnx.proto, independently of tensorzip's own ONNX code.
import protobuf from 'protobufjs';

const FLOAT = 1;
const INT64 = 7;
const WORDS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'a', 'cat', 'dog', 'sat', 'on', 'mat', 'tensor', 'zip',
  'is', 'small', 'fast', 'model', 'weights', '.', ','];
const HIDDEN = 64;

const root = protobuf.Root.fromJSON({ nested: {
  TensorProto: { fields: { dims: { rule: 'repeated', type: 'int64', id: 1 }, dataType: { type: 'int32', id: 2 },
    name: { type: 'string', id: 8 }, rawData: { type: 'bytes', id: 9 } } },
  NodeProto: { fields: { input: { rule: 'repeated', type: 'string', id: 1 }, output: { rule: 'repeated', type: 'string', id: 2 },
    name: { type: 'string', id: 3 }, opType: { type: 'string', id: 4 } } },
  Dim: { fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 } } },
  Shape: { fields: { dim: { rule: 'repeated', type: 'Dim', id: 1 } } },
  TensorType: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'Shape', id: 2 } } },
  TypeProto: { fields: { tensorType: { type: 'TensorType', id: 1 } } },
  ValueInfoProto: { fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 } } },
  GraphProto: { fields: { node: { rule: 'repeated', type: 'NodeProto', id: 1 }, name: { type: 'string', id: 2 },
    initializer: { rule: 'repeated', type: 'TensorProto', id: 5 }, input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
    output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 } } },
  OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
  ModelProto: { fields: { irVersion: { type: 'int64', id: 1 }, producerName: { type: 'string', id: 2 },
    graph: { type: 'GraphProto', id: 7 }, opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 } } },
} });

/** Deterministic float32 weights in [-0.5, 0.5), as raw little-endian bytes. */
function weights(count: number, seed: number): Uint8Array {
  const values = new Float32Array(count);
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    values[i] = state / 2 ** 32 - 0.5;
  }
  return new Uint8Array(values.buffer);
}

function io(name: string, elemType: number, dims: (number | string)[]) {
  const dim = dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

function modelProto(): Uint8Array {
  const graph = {
    name: 'tiny-bert',
    input: [io('input_ids', INT64, ['batch', 'seq']), io('attention_mask', INT64, ['batch', 'seq']), io('token_type_ids', INT64, ['batch', 'seq'])],
    output: [io('last_hidden_state', FLOAT, ['batch', 'seq', HIDDEN])],
    initializer: [
      { name: 'embeddings.word', dims: [WORDS.length, HIDDEN], dataType: FLOAT, rawData: weights(WORDS.length * HIDDEN, 7) },
      { name: 'embeddings.token_type', dims: [2, HIDDEN], dataType: FLOAT, rawData: weights(2 * HIDDEN, 11) },
      { name: 'dense.weight', dims: [HIDDEN, HIDDEN], dataType: FLOAT, rawData: weights(HIDDEN * HIDDEN, 13) },
    ],
    node: [
      { opType: 'Gather', input: ['embeddings.word', 'input_ids'], output: ['words'], name: 'word_lookup' },
      { opType: 'Gather', input: ['embeddings.token_type', 'token_type_ids'], output: ['types'], name: 'type_lookup' },
      { opType: 'Add', input: ['words', 'types'], output: ['embedded'], name: 'add' },
      { opType: 'MatMul', input: ['embedded', 'dense.weight'], output: ['dense'], name: 'dense' },
      { opType: 'Tanh', input: ['dense'], output: ['last_hidden_state'], name: 'tanh' },
    ],
  };
  const model = { irVersion: 8, producerName: 'tensorzip-test', opsetImport: [{ domain: '', version: 17 }], graph };
  return root.lookupType('ModelProto').encode(model).finish();
}

function json(value: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(value));
}

function tokenizer(): unknown {
  const special = (id: number) => ({ id, content: WORDS[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const token = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: string, typeId: number) => ({ Sequence: { id, type_id: typeId } });
  return {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [0, 1, 2, 3, 4].map(special),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [token('[CLS]', 0), sequence('A', 0), token('[SEP]', 0)],
      pair: [token('[CLS]', 0), sequence('A', 0), token('[SEP]', 0), sequence('B', 1), token('[SEP]', 1)],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100,
      vocab: Object.fromEntries(WORDS.map((w, i) => [w, i])) },
  };
}

/** The model's files by their path in a Hugging Face model repository. */
export function tinyBertFiles(): Record<string, Uint8Array> {
  return {
    'config.json': json({ model_type: 'bert', architectures: ['BertModel'], hidden_size: HIDDEN, vocab_size: WORDS.length }),
    'tokenizer_config.json': json({ tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: 64,
      cls_token: '[CLS]', sep_token: '[SEP]', pad_token: '[PAD]', unk_token: '[UNK]', mask_token: '[MASK]' }),
    'tokenizer.json': json(tokenizer()),
    'onnx/model.onnx': modelProto(),
  };
}
