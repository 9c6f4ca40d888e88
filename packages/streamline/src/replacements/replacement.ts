import type { DecoderBlock, LlamaForCausalLM } from '@llm-streamline/llm';
import type { PairSource } from '../training/pairs.js';

/** Everything a replacement may need to build itself for window j…j+m−1. */
export interface ReplacementContext {
  model: LlamaForCausalLM;
  /** First layer of the window (j). */
  start: number;
  /** Layers in the window (m). */
  size: number;
  seed: number;
  /** `ffn` kind: hidden size of the SwiGLU (default: the model's intermediate size). */
  ffnHidden?: number;
  /** `ffn` kind: start from the window's first layer's MLP (default) or from random weights. */
  ffnInit?: 'layer' | 'random';
}

/**
 * One kind of module put in place of the removed window. Each kind is one file; the registry
 * (replacements/index.ts) lists them by name.
 */
export interface ReplacementKind {
  readonly name: string;
  readonly description: string;
  /**
   * Layers a window spans to remove n layers net: n for plain removal, n + 1 when one module
   * takes the window's place.
   */
  windowSize(n: number): number;
  /** The module, or undefined for plain removal. Its parameters are new tensors (not the model's). */
  create(context: ReplacementContext): DecoderBlock | undefined;
  /** How its parameters are obtained after creation. */
  readonly fit: 'none' | 'train' | 'closed-form';
  /** For `closed-form` kinds: solves the parameters from the (h_j, h_{j+m}) pairs. */
  fitClosedForm?(module: DecoderBlock, pairs: PairSource, signal?: AbortSignal): Promise<void>;
}
