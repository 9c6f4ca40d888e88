/**
 * The model configuration used throughout the code base, and conversion from
 * and to Hugging Face `config.json`. Only plain LLaMA is accepted: anything
 * whose forward pass would differ from ours (other activations, rope scaling
 * types we do not implement, other architectures) is rejected with an error
 * naming the offending field, rather than silently producing wrong outputs.
 */

/** Llama 3.x frequency-dependent RoPE scaling (HF `rope_type: "llama3"`). */
export interface Llama3RopeScaling {
  type: 'llama3';
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositionEmbeddings: number;
}

export interface LlamaConfig {
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling?: Llama3RopeScaling;
  /** lm_head shares the token embedding matrix. */
  tieWordEmbeddings: boolean;
  vocabSize: number;
  /** `null` when the model defines no BOS token. */
  bosTokenId: number | null;
  eosTokenId: number | number[];
  attentionBias: boolean;
  mlpBias: boolean;
  maxPositionEmbeddings: number;
}

type Json = Record<string, unknown>;

/** Reads `key`, applying `fallback` when absent/null; validates the JS type. */
function field<T>(
  json: Json,
  key: string,
  file: string,
  check: (v: unknown) => v is T,
  expected: string,
  fallback?: T,
): T {
  const value = json[key];
  if (value === undefined || value === null) {
    if (fallback !== undefined) return fallback;
    throw new Error(`${file}: missing required field "${key}"`);
  }
  if (!check(value))
    throw new Error(`${file}: field "${key}" must be ${expected}, found ${JSON.stringify(value)}`);
  return value;
}

const isPositiveInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) > 0;
const isNonNegativeInt = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isPositiveNumber = (v: unknown): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v > 0;
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isTokenIds = (v: unknown): v is number | number[] =>
  isNonNegativeInt(v) || (Array.isArray(v) && v.length > 0 && v.every(isNonNegativeInt));

const POSITIVE_INT = 'a positive integer';

/**
 * Parses a Hugging Face LLaMA `config.json` object.
 * @param fileName used in error messages.
 */
export function parseHfConfig(json: unknown, fileName: string): LlamaConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${fileName}: expected a JSON object`);
  }
  const c = json as Json;
  const modelType = c.model_type;
  if (modelType !== 'llama') {
    throw new Error(
      `${fileName}: unsupported model_type ${JSON.stringify(modelType)}; only "llama" is supported`,
    );
  }
  if (c.architectures !== undefined && c.architectures !== null) {
    const archs = c.architectures;
    if (!Array.isArray(archs) || !archs.includes('LlamaForCausalLM')) {
      throw new Error(
        `${fileName}: unsupported architectures ${JSON.stringify(archs)}; expected ["LlamaForCausalLM"]`,
      );
    }
  }
  const hiddenAct = c.hidden_act ?? 'silu';
  if (hiddenAct !== 'silu') {
    throw new Error(
      `${fileName}: unsupported hidden_act ${JSON.stringify(hiddenAct)}; only "silu" is supported`,
    );
  }

  const hiddenSize = field(c, 'hidden_size', fileName, isPositiveInt, POSITIVE_INT);
  const numHeads = field(c, 'num_attention_heads', fileName, isPositiveInt, POSITIVE_INT);
  const rope = parseRope(c, fileName);
  const config: LlamaConfig = {
    hiddenSize,
    intermediateSize: field(c, 'intermediate_size', fileName, isPositiveInt, POSITIVE_INT),
    numLayers: field(c, 'num_hidden_layers', fileName, isPositiveInt, POSITIVE_INT),
    numHeads,
    numKvHeads: field(c, 'num_key_value_heads', fileName, isPositiveInt, POSITIVE_INT, numHeads),
    headDim: field(
      c,
      'head_dim',
      fileName,
      isPositiveInt,
      POSITIVE_INT,
      Math.floor(hiddenSize / numHeads),
    ),
    rmsNormEps: field(c, 'rms_norm_eps', fileName, isPositiveNumber, 'a positive number', 1e-6),
    ropeTheta: rope.theta,
    ...(rope.scaling ? { ropeScaling: rope.scaling } : {}),
    tieWordEmbeddings: field(c, 'tie_word_embeddings', fileName, isBoolean, 'a boolean', false),
    vocabSize: field(c, 'vocab_size', fileName, isPositiveInt, POSITIVE_INT),
    // HF LlamaConfig defaults: bos 1, eos 2. An explicit null BOS means "none".
    bosTokenId:
      c.bos_token_id === null
        ? null
        : field(c, 'bos_token_id', fileName, isNonNegativeInt, 'a token id', 1),
    eosTokenId: field(c, 'eos_token_id', fileName, isTokenIds, 'a token id or a list of ids', 2),
    attentionBias: field(c, 'attention_bias', fileName, isBoolean, 'a boolean', false),
    mlpBias: field(c, 'mlp_bias', fileName, isBoolean, 'a boolean', false),
    maxPositionEmbeddings: field(
      c,
      'max_position_embeddings',
      fileName,
      isPositiveInt,
      POSITIVE_INT,
      2048,
    ),
  };
  validateLlamaConfig(config, fileName);
  return config;
}

/**
 * RoPE settings: `rope_theta` + `rope_scaling` (transformers 4.x), or the
 * newer `rope_parameters` object that holds both.
 */
function parseRope(c: Json, file: string): { theta: number; scaling?: Llama3RopeScaling } {
  const params = c.rope_parameters;
  const useParams = typeof params === 'object' && params !== null;
  const scalingKey = useParams ? 'rope_parameters' : 'rope_scaling';
  const theta = useParams
    ? field(
        params as Json,
        'rope_theta',
        `${file}: rope_parameters`,
        isPositiveNumber,
        'a positive number',
        10000,
      )
    : field(c, 'rope_theta', file, isPositiveNumber, 'a positive number', 10000);
  const scaling = useParams ? params : c.rope_scaling;
  if (scaling === undefined || scaling === null) return { theta };
  if (typeof scaling !== 'object' || Array.isArray(scaling))
    throw new Error(`${file}: ${scalingKey} must be an object or null`);
  const s = scaling as Json;
  const type = s.rope_type ?? s.type ?? 'default';
  if (type === 'default') return { theta };
  if (type !== 'llama3') {
    throw new Error(
      `${file}: unsupported ${scalingKey}.rope_type ${JSON.stringify(type)}; only "default" and "llama3" are supported`,
    );
  }
  const where = `${file}: ${scalingKey}`;
  return {
    theta,
    scaling: {
      type: 'llama3',
      factor: field(s, 'factor', where, isPositiveNumber, 'a positive number'),
      lowFreqFactor: field(s, 'low_freq_factor', where, isPositiveNumber, 'a positive number'),
      highFreqFactor: field(s, 'high_freq_factor', where, isPositiveNumber, 'a positive number'),
      originalMaxPositionEmbeddings: field(
        s,
        'original_max_position_embeddings',
        where,
        isPositiveInt,
        POSITIVE_INT,
      ),
    },
  };
}

/** Checks cross-field consistency (shared by all config sources). */
export function validateLlamaConfig(config: LlamaConfig, where: string): void {
  if (config.numHeads % config.numKvHeads !== 0) {
    throw new Error(
      `${where}: num_attention_heads (${config.numHeads}) must be a multiple of num_key_value_heads (${config.numKvHeads})`,
    );
  }
  if (config.headDim % 2 !== 0)
    throw new Error(`${where}: head_dim (${config.headDim}) must be even for RoPE`);
  const ids = [config.bosTokenId, ...[config.eosTokenId].flat()];
  for (const id of ids) {
    if (id !== null && id >= config.vocabSize) {
      throw new Error(
        `${where}: special token id ${id} is outside the vocabulary (vocab_size ${config.vocabSize})`,
      );
    }
  }
  if (config.ropeScaling && config.ropeScaling.lowFreqFactor >= config.ropeScaling.highFreqFactor) {
    throw new Error(`${where}: rope_scaling.low_freq_factor must be smaller than high_freq_factor`);
  }
}

/** Writes a standard Hugging Face `config.json` object for a LlamaConfig. */
export function toHfConfig(
  config: LlamaConfig,
  torchDtype: 'float32' | 'float16' | 'bfloat16' = 'float32',
): Record<string, unknown> {
  const s = config.ropeScaling;
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_hidden_layers: config.numLayers,
    num_attention_heads: config.numHeads,
    num_key_value_heads: config.numKvHeads,
    head_dim: config.headDim,
    hidden_act: 'silu',
    max_position_embeddings: config.maxPositionEmbeddings,
    rms_norm_eps: config.rmsNormEps,
    rope_theta: config.ropeTheta,
    rope_scaling: s
      ? {
          rope_type: 'llama3',
          factor: s.factor,
          low_freq_factor: s.lowFreqFactor,
          high_freq_factor: s.highFreqFactor,
          original_max_position_embeddings: s.originalMaxPositionEmbeddings,
        }
      : null,
    tie_word_embeddings: config.tieWordEmbeddings,
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenId,
    attention_bias: config.attentionBias,
    mlp_bias: config.mlpBias,
    torch_dtype: torchDtype,
  };
}
