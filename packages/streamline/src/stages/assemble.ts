/**
 * Step 7 of the method: the window's layers leave the layer list and are freed; the replacement
 * (if any) takes their place, so L layers become L − n. Also says how the result can be written
 * as an ordinary checkpoint.
 */
import type { DecoderBlock, LlamaForCausalLM } from '@llm-streamline/llm';
import type { WindowChoice } from '../metrics/select-window.js';
import type { ExportResult } from '../pipeline/report.js';
import type { ChosenWindows } from './choose-window.js';

export interface Assembly {
  /** The window that left: m layers when replaced, n for plain removal. */
  chosen: WindowChoice;
  /** The original model's layers that left, in order. */
  removedLayers: number[];
  /** The replacement's index in the pruned model; undefined for plain removal. */
  replacementLayer?: number;
  export: ExportResult;
}

export function assemble(
  model: LlamaForCausalLM,
  { window, removalWindow }: ChosenWindows,
  replacement: DecoderBlock | undefined,
): Assembly {
  const chosen = replacement ? window : removalWindow;
  const removed = model.layers.splice(
    chosen.start,
    chosen.size,
    ...(replacement ? [replacement] : []),
  );
  for (const layer of removed) layer.dispose();
  return {
    chosen,
    removedLayers: Array.from({ length: chosen.size }, (_, k) => chosen.start + k),
    ...(replacement ? { replacementLayer: chosen.start } : {}),
    export: exportOf(replacement),
  };
}

/** A block without `asLlamaLayer` is a decoder layer already; others say whether they can be one. */
function exportOf(replacement: DecoderBlock | undefined): ExportResult {
  if (!replacement) return { as: 'removed' };
  const layer = replacement.asLlamaLayer?.();
  return layer === undefined || layer instanceof Map
    ? { as: 'llama-layer' }
    : { as: 'not-exportable', reason: layer.reason };
}
