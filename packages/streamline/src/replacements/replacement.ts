import type { DecoderBlock, LlamaForCausalLM } from '@llm-streamline/llm';
import type { OptionSpec, OptionValues } from '../options/option-spec.js';
import type { PairSource } from '../training/pairs.js';

/** Everything a replacement may need to build itself for window j…j+m−1. */
export interface ReplacementContext {
  model: LlamaForCausalLM;
  /** First layer of the window (j). */
  start: number;
  /** Layers in the window (m). */
  size: number;
  seed: number;
}

/**
 * One kind of module put in place of the removed window. Each kind is one file; the registry
 * (replacements/index.ts, or `registerReplacement`) lists them by name. A kind declares its own
 * options (`options`); the pipeline checks the values a caller gives against them, fills in their
 * defaults and hands `create()` the typed record, and the CLI and web app offer them as flags and
 * form fields.
 */
export interface ReplacementKind<Options extends readonly OptionSpec[] = readonly OptionSpec[]> {
  /** Name used on the command line, in the web form and in streamline.json. */
  readonly name: string;
  /** One line for help texts and reports. */
  readonly description: string;
  /** A few words for the web form's choice list (default: the description). */
  readonly label?: string;
  /** The kind's own options; omit when it has none. */
  readonly options?: Options;
  /**
   * Layers a window spans to remove n layers net: n for plain removal, n + 1 when one module
   * takes the window's place.
   */
  windowSize(n: number): number;
  /** The module, or undefined for plain removal. Its parameters are new tensors (not the model's). */
  create(context: ReplacementContext, options: OptionValues<Options>): DecoderBlock | undefined;
  /**
   * How many parameters the module will have (trained kinds): lets a run under a memory budget
   * check before any work that training fits. Omit when unknown; the check then comes at training.
   */
  parameterCount?(model: LlamaForCausalLM, options: OptionValues<Options>): number;
  /** How its parameters are obtained after creation. */
  readonly fit: 'none' | 'train' | 'closed-form';
  /** For `closed-form` kinds: solves the parameters from the (h_j, h_{j+m}) pairs. */
  fitClosedForm?(module: DecoderBlock, pairs: PairSource, signal?: AbortSignal): Promise<void>;
}
