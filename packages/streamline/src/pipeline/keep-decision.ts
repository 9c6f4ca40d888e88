/** What `streamline.json` records about the keep decision (see stages/keep-better.ts). */
export interface KeepDecision {
  /** The `keep` option the run was given. */
  mode: 'best' | 'replaced' | 'removal';
  /** The model that was assembled and exported. */
  kept: 'replaced' | 'removal';
  /**
   * Language-model loss of the whole model (mean next-token cross-entropy, nats per token) on the
   * validation blocks; absent when there was nothing to compare (kind none, no validation blocks).
   */
  validationLoss?: { removal: number; replaced: number; blocks: number };
  /** Why, in one line: the losses compared, or the option that decided. */
  reason: string;
  /** Present when the replacement lost: what to change so that it wins. */
  advice?: string;
}
