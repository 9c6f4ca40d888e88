/**
 * What the page exposes on `window.__llmStreamline` for its end-to-end test (and for the curious,
 * in the console): the state of the app, the last report, and logits of the in-browser pruned
 * model, which the test compares with the downloaded checkpoint reloaded in Node.
 */
import type { LlamaForCausalLM } from '@llm-streamline/llm';
import type { StreamlineReport } from '@llm-streamline/streamline';
import { data, scope, type Tensor, tensor } from '@llm-streamline/tensor';

export type AppState =
  | 'starting'
  | 'no-webgpu'
  | 'idle'
  | 'running'
  | 'done'
  | 'cancelled'
  | 'failed';

export interface LlmStreamlineHooks {
  state: AppState;
  report?: StreamlineReport;
  /** Logits [T × V] (row-major) of the pruned model for one token sequence. */
  prunedLogits?: (ids: readonly number[]) => Promise<number[]>;
}

declare global {
  interface Window {
    __llmStreamline: LlmStreamlineHooks;
  }
}

export const hooks: LlmStreamlineHooks = { state: 'starting' };
window.__llmStreamline = hooks;

/** Sets the state on the hooks and on `<body data-state>` (for styles and tests to wait on). */
export function setState(state: AppState): void {
  hooks.state = state;
  document.body.dataset.state = state;
}

/** Logits of `model` for `ids` as plain numbers. */
export function logitsOf(model: LlamaForCausalLM, ids: readonly number[]): Promise<number[]> {
  return scope(async () => {
    const input = tensor(Int32Array.from(ids), [1, ids.length]);
    const logits = model.forward(input).logits as Tensor;
    return Array.from((await data(logits)) as Float32Array);
  });
}
