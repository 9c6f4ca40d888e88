/**
 * Another method's choice of the same n layers, recorded beside LLM-Streamline's so research users
 * can compare methods on one run (the paper's tables compare against ShortGPT and others).
 */
export interface BaselineRecord {
  /**
   * `short-gpt`: the n layers of lowest Block Influence (m = 1), not necessarily consecutive.
   * `ppl-window`: the window of n consecutive layers whose removal gives the lowest perplexity on
   * the scoring blocks.
   */
  method: 'short-gpt' | 'ppl-window';
  /** One line for reports. */
  description: string;
  /** Layers removed, as indices in the original model, ascending. */
  layers: number[];
  /**
   * What the choice was made from: BI of every layer (index l = layer l) for `short-gpt`; the
   * scoring-block perplexity with each window j…j+n−1 removed (index j) for `ppl-window`.
   */
  scores: number[];
  /**
   * Perplexity with those layers removed, on the same evaluation blocks as the report's
   * `perplexity` (absent when evaluation was skipped).
   */
  perplexity?: number;
}
