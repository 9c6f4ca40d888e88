/**
 * Layer-major inference: the hidden states of a group of batches go through a list of layers one
 * layer at a time, each layer for every batch before the next. With streamed weights (see
 * weight-stream.ts) each layer is fetched once per group, the next one's fetch overlapping this
 * one's compute, and released as soon as its kernels are recorded; the host never runs more than
 * about two layers ahead of the device (see device-lag.ts). With resident weights the same
 * walk over a group of one batch is the usual batch-major forward pass: every stage runs through
 * this one loop, streamed or not, so both give the same numbers by construction.
 */
import { noGrad, variable } from '@llm-streamline/autograd';
import { scope, type Tensor, tensor } from '@llm-streamline/tensor';
import type { DecoderBlock } from '../model/decoder-block.js';
import type { LlamaForCausalLM } from '../model/llama-model.js';
import { DeviceLag } from './device-lag.js';

export interface LayerWalkOptions {
  /**
   * Called at every boundary with the group's hidden states there: boundary 0 (the inputs) first,
   * then after each layer. The states are the walk's: view or copy what must outlive the call.
   */
  visit?: (boundary: number, states: readonly Tensor[]) => void;
  /** Free the inputs once the first layer has read them (default true). */
  consumeInputs?: boolean;
  signal?: AbortSignal;
}

/**
 * Runs `inputs` (one hidden state [B, T, D] per batch) through `layers`; returns the outputs in
 * the same order. No gradients are kept.
 */
export async function walkLayers(
  model: LlamaForCausalLM,
  layers: readonly DecoderBlock[],
  inputs: readonly Tensor[],
  { visit, consumeInputs = true, signal }: LayerWalkOptions = {},
): Promise<Tensor[]> {
  const stream = model.weightStream;
  const prefetch = model.memoryPlan?.prefetch ?? false;
  // Streamed, the host waits for the device now and then, so as not to stage the whole model.
  const lag = stream ? new DeviceLag(() => model.invFreq.device.sync()) : undefined;
  let states = [...inputs];
  // Whether `states` are the walk's to free when it fails (the caller's inputs are not, unless
  // they were handed over).
  let owned = consumeInputs;
  let fetching: Promise<void> | undefined;
  try {
    visit?.(0, states);
    fetching = layers[0] ? stream?.fetch(layers[0]) : undefined;
    for (const [k, layer] of layers.entries()) {
      signal?.throwIfAborted();
      if (stream && lag) {
        if (!fetching) {
          await lag.beforeUpload(k);
          fetching = stream.fetch(layer);
        }
        await stream.waitFor(fetching, lag.workDone(k - 1));
      }
      // With room for two layers, the next one is read and uploaded while this one computes.
      const following = layers[k + 1];
      fetching = undefined;
      if (stream && lag && prefetch && following) {
        await lag.beforeUpload(k + 1);
        fetching = stream.fetch(following);
      }
      const input = states;
      states = []; // runLayer frees what it holds of `input` when it fails
      states = runLayer(model, layer, input, owned);
      owned = true;
      if (stream?.isStreamed(layer)) {
        stream.release(layer);
        // Submit now: the device computes while the next layer is read, and the released buffers
        // become reusable for the layer after it.
        states[0]?.device.batch.flush();
      }
      lag?.submitted(k);
      visit?.(k + 1, states);
    }
  } catch (e) {
    if (owned) for (const h of states) h.dispose();
    // A fetch still running would otherwise reject unobserved; every fetched layer goes back.
    fetching?.catch(() => {});
    if (stream) for (const layer of layers) stream.release(layer);
    throw e;
  }
  if (!owned) states = states.map((h) => h.view(h.layout));
  return states;
}

/**
 * Every batch's hidden state through one layer. Inputs the walk owns are freed as soon as their
 * output exists (a group never holds two states per batch); on failure everything the call
 * still holds of them is freed, so the caller has nothing to clean up but inputs it kept.
 */
function runLayer(
  model: LlamaForCausalLM,
  layer: DecoderBlock,
  states: readonly Tensor[],
  owned: boolean,
): Tensor[] {
  const streamed = model.weightStream !== undefined;
  const next: Tensor[] = [];
  let b = 0;
  try {
    for (; b < states.length; b++) {
      const h = states[b] as Tensor;
      const out = noGrad(() =>
        scope(() => layer.forward(variable(h), model.layerContext(0)).value),
      );
      // A block may hand back its input unchanged (an identity replacement).
      if (out === h) next.push(owned ? h : h.view(h.layout));
      else {
        if (owned) h.dispose();
        next.push(out);
      }
      // Streamed, submit after each batch: the buffers its temporaries held become reusable at
      // once, so the device holds one batch's temporaries, not a whole group's (under a budget,
      // a buffer freed but not yet submitted is memory still held).
      if (streamed) out.device.batch.flush();
    }
  } catch (e) {
    for (const t of next) t.dispose();
    if (owned) for (const h of states.slice(b)) h.dispose();
    throw e;
  }
  return next;
}

/**
 * Embeddings [B, T, D] of token blocks (all of one length): looked up on the device, or, when the
 * model streams its weights, from the checkpoint's rows on the host (the table is never uploaded).
 */
export async function embedBlocks(
  model: LlamaForCausalLM,
  blocks: readonly (readonly number[])[],
): Promise<Tensor> {
  if (model.weightStream) return model.weightStream.embedBlocks(blocks);
  const length = (blocks[0] as readonly number[]).length;
  return noGrad(() =>
    scope(() => model.embed(tensor(Int32Array.from(blocks.flat()), [blocks.length, length])).value),
  );
}

/** Splits `items` into consecutive groups of at most `size`. */
export function groupsOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
