/**
 * The model configuration used throughout the code base, and conversion from
 * and to Hugging Face `config.json`. LLaMA, Mistral and Qwen2 are accepted
 * (architectures.ts): anything whose forward pass would differ from ours (other
 * activations, rope scaling types we do not implement, other architectures) is
 * rejected with an error naming the file and the field, rather than silently
 * producing wrong outputs.
 */
import { ARCHITECTURES, isModelType, type ModelType } from './architectures.js';

/** Llama 3.x frequency-dependent RoPE scaling (HF `rope_type: "llama3"`). */
export interface Llama3RopeScaling {
  type: 'llama3';
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositionEmbeddings: number;
}

/** Position interpolation (HF `rope_type: "linear"`): every inverse frequency divided by `factor`. */
export interface LinearRopeScaling {
  type: 'linear';
  factor: number;
}

export type RopeScaling = Llama3RopeScaling | LinearRopeScaling;

/** HF `layer_types` entries. */
export type LayerType = 'full_attention' | 'sliding_attention';

export interface LlamaConfig {
  /** The Hugging Face `model_type`: which decoder variant (see architectures.ts). */
  modelType: ModelType;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling?: RopeScaling;
  /** lm_head shares the token embedding matrix. */
  tieWordEmbeddings: boolean;
  vocabSize: number;
  /** `null` when the model defines no BOS token. */
  bosTokenId: number | null;
  eosTokenId: number | number[];
  /** q_proj, k_proj and v_proj carry biases (LLaMA's attention_bias; always in Qwen2). */
  qkvBias: boolean;
  /** o_proj carries a bias (LLaMA's attention_bias). */
  oBias: boolean;
  /** gate_proj, up_proj and down_proj carry biases (LLaMA's mlp_bias). */
  mlpBias: boolean;
  maxPositionEmbeddings: number;
  /**
   * The attention window of the sliding layers: a query at position q sees keys k with
   * q − window < k ≤ q. Absent when no layer slides.
   */
  slidingWindow?: number;
  /** Per layer, full or sliding attention (HF `layer_types`); absent: every layer the same. */
  layerTypes?: readonly LayerType[];
  /** Qwen2's `max_window_layers`: layers from this index on slide (when sliding at all). */
  maxWindowLayers?: number;
  /** config.json fields we do not interpret, written back unchanged on save (absent when none). */
  extraFields?: Record<string, unknown>;
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
 * Parses a Hugging Face `config.json` object of a LLaMA, Mistral or Qwen2 causal LM.
 * @param fileName used in error messages.
 */
export function parseHfConfig(json: unknown, fileName: string): LlamaConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new Error(`${fileName}: expected a JSON object`);
  }
  const c = json as Json;
  const modelType = c.model_type;
  if (!isModelType(modelType)) {
    throw new Error(
      `${fileName}: unsupported model_type ${JSON.stringify(modelType)}; supported: ${Object.keys(
        ARCHITECTURES,
      )
        .map((t) => `"${t}"`)
        .join(', ')}`,
    );
  }
  const arch = ARCHITECTURES[modelType];
  if (c.architectures !== undefined && c.architectures !== null) {
    const archs = c.architectures;
    if (!Array.isArray(archs) || !archs.includes(arch.causalLm)) {
      throw new Error(
        `${fileName}: unsupported architectures ${JSON.stringify(archs)}; expected ["${arch.causalLm}"] for model_type "${modelType}"`,
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
  const numLayers = field(c, 'num_hidden_layers', fileName, isPositiveInt, POSITIVE_INT);
  const rope = parseRope(c, fileName);
  const { defaults } = arch;
  const config: LlamaConfig = {
    modelType,
    hiddenSize,
    intermediateSize: field(c, 'intermediate_size', fileName, isPositiveInt, POSITIVE_INT),
    numLayers,
    numHeads,
    numKvHeads: field(
      c,
      'num_key_value_heads',
      fileName,
      isPositiveInt,
      POSITIVE_INT,
      defaults.numKvHeads(numHeads),
    ),
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
    // An explicit null BOS means "none".
    bosTokenId:
      c.bos_token_id === null || (c.bos_token_id === undefined && defaults.bosTokenId === null)
        ? null
        : field(c, 'bos_token_id', fileName, isNonNegativeInt, 'a token id', defaults.bosTokenId),
    eosTokenId: field(c, 'eos_token_id', fileName, isTokenIds, 'a token id or a list of ids', 2),
    ...arch.biases((key) => field(c, key, fileName, isBoolean, 'a boolean', false)),
    maxPositionEmbeddings: field(
      c,
      'max_position_embeddings',
      fileName,
      isPositiveInt,
      POSITIVE_INT,
      defaults.maxPositionEmbeddings,
    ),
    ...parseWindow(c, fileName, modelType, numLayers),
  };
  validateLlamaConfig(config, fileName);
  // Whatever toHfConfig does not write is kept as found and written back on save.
  const written = new Set(Object.keys(toHfConfig(config)));
  const extra = Object.entries(c).filter(([key]) => !written.has(key));
  return extra.length > 0 ? { ...config, extraFields: Object.fromEntries(extra) } : config;
}

const LAYER_TYPES: readonly unknown[] = ['full_attention', 'sliding_attention'];

/** The sliding-window fields, with the HF config classes' semantics and defaults. */
function parseWindow(
  c: Json,
  file: string,
  modelType: ModelType,
  numLayers: number,
): Pick<LlamaConfig, 'slidingWindow' | 'layerTypes' | 'maxWindowLayers'> {
  const out: Pick<LlamaConfig, 'slidingWindow' | 'layerTypes' | 'maxWindowLayers'> = {};
  const types = c.layer_types;
  if (types !== undefined && types !== null) {
    if (
      !Array.isArray(types) ||
      types.length !== numLayers ||
      !types.every((t) => LAYER_TYPES.includes(t))
    ) {
      throw new Error(
        `${file}: field "layer_types" must list "full_attention" or "sliding_attention" for each of the ${numLayers} layers (num_hidden_layers), found ${JSON.stringify(types)}`,
      );
    }
    out.layerTypes = types as LayerType[];
  }
  const window = ARCHITECTURES[modelType].window;
  if (window === 'none') return out;
  const size = (fallback: number) =>
    c.sliding_window === null
      ? undefined
      : field(c, 'sliding_window', file, isPositiveInt, 'a positive integer or null', fallback);
  if (window === 'mistral') {
    const slidingWindow = size(4096);
    return slidingWindow === undefined ? out : { ...out, slidingWindow };
  }
  // Qwen2Config: sliding_window = sliding_window if use_sliding_window else None; layer i slides
  // iff sliding_window is set and i >= max_window_layers (unless layer_types says otherwise).
  const use = field(c, 'use_sliding_window', file, isBoolean, 'a boolean', false);
  const maxWindowLayers = field(
    c,
    'max_window_layers',
    file,
    isNonNegativeInt,
    'a non-negative integer',
    28,
  );
  const slidingWindow = use ? size(4096) : undefined;
  const layerTypes =
    out.layerTypes ??
    Array.from(
      { length: numLayers },
      (_, i): LayerType =>
        slidingWindow !== undefined && i >= maxWindowLayers
          ? 'sliding_attention'
          : 'full_attention',
    );
  return {
    ...(slidingWindow === undefined ? {} : { slidingWindow }),
    layerTypes,
    maxWindowLayers,
  };
}

/**
 * RoPE settings: `rope_theta` + `rope_scaling` (transformers 4.x), or the
 * newer `rope_parameters` object that holds both.
 */
function parseRope(c: Json, file: string): { theta: number; scaling?: RopeScaling } {
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
  // HF reads `rope_type`, or the legacy `type`; refuse a file that gives both, differently.
  if (s.rope_type !== undefined && s.type !== undefined && s.rope_type !== s.type) {
    throw new Error(
      `${file}: ${scalingKey}.rope_type ${JSON.stringify(s.rope_type)} and ${scalingKey}.type ${JSON.stringify(s.type)} disagree`,
    );
  }
  const type = s.rope_type ?? s.type ?? 'default';
  const where = `${file}: ${scalingKey}`;
  const factor = () => field(s, 'factor', where, isPositiveNumber, 'a positive number');
  if (type === 'default') return { theta };
  if (type === 'linear') return { theta, scaling: { type: 'linear', factor: factor() } };
  if (type !== 'llama3') {
    throw new Error(
      `${file}: unsupported ${scalingKey}.rope_type ${JSON.stringify(type)}; only "default", "linear" and "llama3" are supported`,
    );
  }
  return {
    theta,
    scaling: {
      type: 'llama3',
      factor: factor(),
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
  const s = config.ropeScaling;
  if (s?.type === 'llama3' && s.lowFreqFactor >= s.highFreqFactor) {
    throw new Error(`${where}: rope_scaling.low_freq_factor must be smaller than high_freq_factor`);
  }
  // Each architecture's config can say only some bias layouts (LLaMA's attention_bias is q, k, v
  // and o together): refuse a layout a saved config.json could not reproduce.
  const layout = ARCHITECTURES[config.modelType].biases((key) =>
    key === 'attention_bias' ? config.qkvBias : config.mlpBias,
  );
  if (
    layout.qkvBias !== config.qkvBias ||
    layout.oBias !== config.oBias ||
    layout.mlpBias !== config.mlpBias
  ) {
    throw new Error(
      `${where}: biases on q/k/v ${config.qkvBias}, o ${config.oBias}, MLP ${config.mlpBias} are not a ${config.modelType} layout (q/k/v ${layout.qkvBias}, o ${layout.oBias}, MLP ${layout.mlpBias})`,
    );
  }
  if (config.layerTypes && config.layerTypes.length !== config.numLayers) {
    throw new Error(
      `${where}: layer_types has ${config.layerTypes.length} entries but num_hidden_layers is ${config.numLayers}`,
    );
  }
}

/**
 * Writes a standard Hugging Face `config.json` object for a LlamaConfig: the fields of its
 * architecture, then the fields of the original file we do not interpret (`extraFields`).
 */
export function toHfConfig(
  config: LlamaConfig,
  torchDtype: 'float32' | 'float16' | 'bfloat16' = 'float32',
): Record<string, unknown> {
  const extra = config.extraFields ?? {};
  // The fields of the file this code does not interpret first; those it does always win.
  return {
    ...extra,
    architectures: [ARCHITECTURES[config.modelType].causalLm],
    model_type: config.modelType,
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
    rope_scaling: hfRopeScaling(config.ropeScaling),
    tie_word_embeddings: config.tieWordEmbeddings,
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenId,
    ...windowFields(config),
    ...(config.modelType === 'llama'
      ? { attention_bias: config.qkvBias, mlp_bias: config.mlpBias }
      : {}),
    ...(config.layerTypes ? { layer_types: config.layerTypes } : {}),
    torch_dtype: torchDtype,
    // transformers 5 names it `dtype`: keep the two in step.
    ...('dtype' in extra ? { dtype: torchDtype } : {}),
  };
}

function hfRopeScaling(s: RopeScaling | undefined): Record<string, unknown> | null {
  if (!s) return null;
  if (s.type === 'linear') return { rope_type: 'linear', factor: s.factor };
  return {
    rope_type: 'llama3',
    factor: s.factor,
    low_freq_factor: s.lowFreqFactor,
    high_freq_factor: s.highFreqFactor,
    original_max_position_embeddings: s.originalMaxPositionEmbeddings,
  };
}

/** Mistral's sliding_window; Qwen2's three window fields (sliding_window null when unused, as HF writes it). */
function windowFields(config: LlamaConfig): Record<string, unknown> {
  const window = config.slidingWindow ?? null;
  if (config.modelType === 'mistral') return { sliding_window: window };
  if (config.modelType === 'qwen2')
    return {
      use_sliding_window: window !== null,
      sliding_window: window,
      max_window_layers: config.maxWindowLayers ?? config.numLayers,
    };
  return {};
}
