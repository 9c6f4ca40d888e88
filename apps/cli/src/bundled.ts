/**
 * The models and text that ship with the CLI (assets/, see assets/NOTICE.md), resolved relative
 * to this module so the paths hold from src/ (tsx) and from dist/ alike: both sit one level
 * below the package root.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const assets = fileURLToPath(new URL('../assets/', import.meta.url));

/** Paths of the bundled data. */
export const BUNDLED = {
  /** The default MODEL: a 12-layer TinyStories LLaMA, Hugging Face folder. */
  model: resolve(assets, 'tinystories-12L'),
  /** Held-out text of the default model: the default evaluation text. */
  evaluationText: resolve(assets, 'tinystories-12L/heldout.txt'),
  /** The default calibration text (TinyStories validation stories, held-out ones removed). */
  calibrationText: resolve(assets, 'text/tinystories-calibration.txt'),
  /** Karpathy's stories260K (5 layers) with its tokenizers: small enough for tests. */
  stories260K: resolve(assets, 'stories260K/stories260K.bin'),
  /**
   * Multiple-choice tasks by name (`eval --tasks NAME`): story-endings is built from the held-out
   * stories by scripts/make-story-endings.mts.
   */
  tasks: { 'story-endings': resolve(assets, 'tasks/story-endings.jsonl') },
} as const;

/** True when `path` is the bundled default model (its held-out text then is the default evaluation text). */
export function isBundledModel(path: string): boolean {
  return resolve(path) === BUNDLED.model;
}
