import {
  Embedding,
  Linear,
  type LinearCrossEntropyOptions,
  linearCrossEntropy,
  Module,
  ModuleList,
  narrow,
  noGrad,
  type ParameterInit,
  RMSNorm,
  reshape,
  type Variable,
  variable,
} from '@llm-streamline/autograd';
import {
  formatShape,
  keep,
  matmul,
  reshape as reshapeTensor,
  scope,
  type Tensor,
  tensor,
} from '@llm-streamline/tensor';
import type { LlamaConfig } from '../config/llama-config.js';
import type { WeightsDType } from '../load/weights-dtype.js';
import type { MemoryPlan } from '../stream/memory-plan.js';
import type { WeightStream } from '../stream/weight-stream.js';
import type { DecoderBlock, LayerContext } from './decoder-block.js';
import { KvCache, LayerKvCache } from './kv-cache.js';
import { LlamaDecoderLayer } from './llama-decoder-layer.js';
import { ropeFrequencies } from './rope-frequencies.js';

/** Hugging Face's `LlamaModel` (and Mistral's, Qwen2's): token embedding, the decoder stack, the final norm. */
export class LlamaBackbone extends Module {
  readonly embedTokens: Embedding;
  readonly layers: ModuleList<DecoderBlock>;
  readonly norm: RMSNorm;

  constructor(config: LlamaConfig, seed: number, init: ParameterInit = 'default') {
    super();
    this.embedTokens = this.registerModule(
      'embed_tokens',
      new Embedding(config.vocabSize, config.hiddenSize, { std: 0.02, seed, init }),
    );
    const layers = Array.from(
      { length: config.numLayers },
      (_, i) => new LlamaDecoderLayer(config, seed + 16 * (i + 1), i, init),
    );
    this.layers = this.registerModule('layers', new ModuleList<DecoderBlock>(layers));
    this.norm = this.registerModule(
      'norm',
      new RMSNorm(config.hiddenSize, config.rmsNormEps, { init }),
    );
  }
}

/** Options of the {@link LlamaForCausalLM} constructor. */
export interface LlamaModelOptions {
  /** Seed of the random initial weights (default 0); each layer derives its own from it. */
  seed?: number;
  /**
   * `'default'`: random weights as Hugging Face initialises them (reproducible from `seed`);
   * `'empty'`: parameters allocated with undefined contents, no kernel run, for a model whose
   * every weight is loaded next (what the loaders do).
   */
  init?: ParameterInit;
}

export interface ForwardOptions {
  /**
   * Layer boundaries whose hidden state to return: boundary j is the input of layer j, so 0 is
   * the embeddings and L (the number of layers) is the last layer's output, before the final norm.
   */
  hiddenStates?: readonly number[];
  /** Return logits (default true). Scoring layers only needs hidden states. */
  logits?: boolean;
  /** Only the last position's logits ([B, 1, V]): what generation needs. */
  lastPositionOnly?: boolean;
  /** Decode incrementally: positions continue from `cache.length`, which is advanced. */
  cache?: KvCache;
}

/** How {@link LlamaForCausalLM.nextTokenLoss} reduces and chunks (see `linearCrossEntropy`). */
export type NextTokenLossOptions = Pick<LinearCrossEntropyOptions, 'reduction' | 'chunkRows'>;

export interface ForwardResult {
  /** [B, T, V] (or [B, 1, V] with `lastPositionOnly`), when asked for. */
  logits?: Tensor;
  /** The requested boundaries' hidden states [B, T, D]; the caller disposes them. */
  hidden: Map<number, Tensor>;
}

/**
 * A LLaMA-family causal language model (Hugging Face's `LlamaForCausalLM`, `MistralForCausalLM` or
 * `Qwen2ForCausalLM`, after `config.modelType`), parameters named as in HF checkpoints. `model.layers` is a plain list of {@link DecoderBlock}s: remove, replace or insert
 * entries and the forward pass follows.
 */
export class LlamaForCausalLM extends Module {
  readonly model: LlamaBackbone;
  /** Separate output projection [V, D]; undefined when tied to the token embedding. */
  readonly lmHead: Variable | undefined;
  /** The module that owns the output weight: `lm_head`, or the token embedding when tied. */
  readonly headModule: Module;
  /** RoPE inverse frequencies, derived from the config (not saved, as in HF). */
  readonly invFreq: Tensor;
  /**
   * Set by a loader when the weights did not fit the memory budget: the decoder layers and the
   * head stay in the checkpoint and are fetched one at a time (see stream/weight-stream.ts). Such a
   * model runs through `walkLayers` and `embedBlocks`; `forward`, `runLayers` and `embed` refuse.
   */
  weightStream?: WeightStream;
  /** The memory plan the model was loaded under (see stream/memory-plan.ts), when it had a budget. */
  memoryPlan?: MemoryPlan;

  constructor(
    readonly config: LlamaConfig,
    { seed = 0, init = 'default' }: LlamaModelOptions = {},
  ) {
    super();
    this.model = this.registerModule('model', new LlamaBackbone(config, seed, init));
    const lmHead = config.tieWordEmbeddings
      ? undefined
      : this.registerModule(
          'lm_head',
          new Linear(config.hiddenSize, config.vocabSize, { bias: false, seed: seed + 7, init }),
        );
    this.lmHead = lmHead?.weight;
    this.headModule = lmHead ?? this.model.embedTokens;
    this.invFreq = keep(tensor(ropeFrequencies(config), [config.headDim / 2]));
  }

  get layers(): ModuleList<DecoderBlock> {
    return this.model.layers;
  }

  /**
   * The dtype the weight matrices are held in on the device (the token embedding's; a loader
   * holds them all alike): what a checkpoint of this model is written in by default.
   */
  get weightsDtype(): WeightsDType {
    if (this.weightStream) return this.weightStream.weightsDtype;
    return this.model.embedTokens.weight.value.dtype as WeightsDType;
  }

  /** The output projection's weight [V, D] (the embedding when tied). */
  get outputWeight(): Tensor {
    return (this.lmHead ?? this.model.embedTokens.weight).value;
  }

  /** Context for layers at positions starting at `offset`. */
  layerContext(offset: number, cache?: LayerKvCache): LayerContext {
    return { offset, invFreq: this.invFreq, cache };
  }

  /** Token ids [B, T] (i32) → embeddings [B, T, D] (boundary 0). */
  embed(ids: Tensor): Variable {
    this.assertResident(this.model.embedTokens, 'the token embedding');
    if (ids.rank !== 2)
      throw new RangeError(
        `forward: token ids must be [batch, tokens], got ${formatShape(ids.shape)}`,
      );
    return this.model.embedTokens.forward(ids);
  }

  /** Runs layers `from` … `to − 1` on hidden states at boundary `from` (differentiable). */
  runLayers(h: Variable, from: number, to: number, offset = 0): Variable {
    for (let j = from; j < to; j++) this.assertResident(this.layers.at(j), `layer ${j}`);
    let x = h;
    for (let j = from; j < to; j++) {
      const next = this.layers.at(j).forward(x, this.layerContext(offset));
      // A block may return its input unchanged (an identity replacement): keep it alive then.
      if (x !== h && next.value !== x.value) x.value.dispose();
      x = next;
    }
    return x === h ? variable(h.value.view(h.value.layout)) : x;
  }

  /** Final norm and output projection: hidden [B, T, D] → logits [B, T, V]. */
  head(h: Tensor): Tensor {
    this.assertResident(this.headModule, 'the output head');
    return noGrad(() =>
      scope(() => {
        const normed = this.model.norm.forward(variable(h)).value;
        return matmul(normed, this.outputWeight.transpose());
      }),
    );
  }

  /**
   * The next-token cross-entropy of hidden states `h` [B, T, D] (the last layer's output, before
   * the final norm) against the token ids [B, T] they were computed from: position p predicts
   * token p + 1, so the last position has no target and the first token is never predicted —
   * B·(T − 1) rows are scored, their loss averaged (default) or summed.
   *
   * The last position is dropped from the hidden states, not from the logits (a [.., D] copy
   * rather than a [.., V] one); the final norm runs on what remains, and the head and the loss run
   * through `linearCrossEntropy`, chunk by chunk, so the [B, T, V] logits are never held.
   * Differentiable in `h` (and the final norm's weight); the head is a constant here: no gradient
   * reaches the output weight. Perplexity and the language-model training loss both score this way.
   */
  nextTokenLoss(h: Variable, ids: Tensor, options: NextTokenLossOptions = {}): Variable {
    const [batch, tokens, hidden] = h.shape as [number, number, number];
    if (
      h.shape.length !== 3 ||
      hidden !== this.config.hiddenSize ||
      ids.rank !== 2 ||
      ids.shape[0] !== batch ||
      ids.shape[1] !== tokens ||
      tokens < 2
    ) {
      throw new RangeError(
        `nextTokenLoss: expected hidden states [B, T, ${this.config.hiddenSize}] and token ids [B, T] with T ≥ 2, got hidden states ${formatShape(h.shape)} and ids ${formatShape(ids.shape)}`,
      );
    }
    this.assertResident(this.headModule, 'the output head');
    return scope(() => {
      const rows = batch * (tokens - 1);
      const inputs = reshape(narrow(h, 1, 0, tokens - 1), [rows, hidden]);
      const targets = reshapeTensor(ids.narrow(1, 1, tokens - 1), [rows]);
      const normed = this.model.norm.forward(inputs);
      return linearCrossEntropy(normed, variable(this.outputWeight), targets, options);
    });
  }

  /**
   * Inference forward pass over a batch of token sequences. Hidden states that were not asked
   * for are freed as soon as the next layer has consumed them.
   */
  forward(ids: Tensor, options: ForwardOptions = {}): ForwardResult {
    const {
      hiddenStates = [],
      logits: wantLogits = true,
      lastPositionOnly = false,
      cache,
    } = options;
    const numLayers = this.layers.length;
    for (const j of hiddenStates) {
      if (!Number.isInteger(j) || j < 0 || j > numLayers) {
        throw new RangeError(`forward: hidden-state boundary ${j} is outside 0…${numLayers}`);
      }
    }
    if (cache && cache.layers.length !== numLayers) {
      throw new Error(
        `forward: the KV cache has ${cache.layers.length} layers but the model has ${numLayers}; create a new cache after editing layers`,
      );
    }
    [...this.layers].forEach((layer, j) => {
      this.assertResident(layer, `layer ${j}`);
    });
    const offset = cache?.length ?? 0;
    const hidden = new Map<number, Tensor>();
    return noGrad(() => {
      let h = this.embed(ids).value;
      let j = 0;
      for (const layer of this.layers) {
        if (hiddenStates.includes(j)) hidden.set(j, h.view(h.layout));
        const next = scope(
          () => layer.forward(variable(h), this.layerContext(offset, cache?.layers[j])).value,
        );
        // A block that returns its input (an identity replacement) hands back `h` itself.
        if (next !== h) h.dispose();
        h = next;
        j++;
      }
      if (hiddenStates.includes(numLayers)) hidden.set(numLayers, h.view(h.layout));
      if (cache) cache.length += ids.shape[1] as number;
      let logits: Tensor | undefined;
      if (wantLogits) {
        const t = h.shape[1] as number;
        const last = lastPositionOnly ? h.narrow(1, t - 1, 1) : h.view(h.layout);
        logits = this.head(last);
        last.dispose();
      }
      h.dispose();
      return { logits, hidden };
    });
  }

  /** A KV cache sized for `maxTokens` positions of `batch` sequences, one entry per current layer. */
  createKvCache(batch: number, maxTokens: number): KvCache {
    const { numKvHeads, headDim } = this.config;
    return new KvCache(
      Array.from(
        { length: this.layers.length },
        () => new LayerKvCache(batch, numKvHeads, maxTokens, headDim),
      ),
    );
  }

  /**
   * Throws when `module`'s weights are streamed and not fetched: running it would read
   * placeholders (zeros) and give a wrong answer instead of an error.
   */
  assertResident(module: Module, what: string): void {
    if (this.weightStream && !this.weightStream.isResident(module))
      throw new Error(
        `${what} is streamed from the checkpoint (the model is larger than its device memory budget) and is not on the device: run streamed models through walkLayers() and embedBlocks()`,
      );
  }

  override dispose(): void {
    // Placeholders are restored first, so the module frees only what it owns.
    const stream = this.weightStream;
    this.weightStream = undefined;
    stream?.close().catch(() => {});
    // The budget the loader gave the device's pool was this model's.
    if (this.memoryPlan && this.invFreq.device.pool.budgetBytes === this.memoryPlan.budgetBytes)
      this.invFreq.device.pool.budgetBytes = undefined;
    super.dispose();
    this.invFreq.dispose();
  }
}
