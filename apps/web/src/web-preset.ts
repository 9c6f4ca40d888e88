/**
 * The browser's preset: the shared STREAMLINE_DEFAULTS with these values on top. A browser on a CPU
 * adapter (SwiftShader) runs a whole prune of stories260K in a minute or two with them; the CLI's
 * defaults would take many times longer. The form starts from these values and the user may change
 * any of them; every option not listed keeps the shared default.
 */
import type { StreamlineDefaults } from '@llm-streamline/streamline';

export const WEB_PRESET: Partial<StreamlineDefaults> = {
  /** Half the CLI's 256: attention cost grows with the square of the block length. */
  blockLength: 128,
  /** Half the CLI's 32 scoring blocks. */
  scoringBlocks: 16,
  /** Half the CLI's 128 training blocks, and half the validation blocks (8). */
  trainingBlocks: 64,
  validationBlocks: 4,
  /**
   * Four epochs, as the CLI: 4 × ⌈64 / 8⌉ = 32 optimiser steps, MIN_OPTIMISER_STEPS. Two epochs
   * (16 steps) trained stories260K's replacement too little to beat plain removal (issue 16).
   */
  /** Half the CLI's 32 evaluation blocks (the first 16 of the held-out text). */
  evaluationBlocks: 16,
};
