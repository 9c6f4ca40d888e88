/**
 * The layer-level API the pruning code builds on: hidden states at layer boundaries, embed /
 * runLayers / head as the pieces of forward, and an editable layer list.
 */
import { Module, noGrad, type Variable, variable } from '@llm-streamline/autograd';
import { data, getDevice, scope, type Tensor, tensor } from '@llm-streamline/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../src/load/load-model.js';
import type { DecoderBlock } from '../src/model/decoder-block.js';
import type { LlamaForCausalLM } from '../src/model/llama-model.js';
import { loadStories260K, loadTinystories, logitsOf, row } from './model-helpers.js';

const TEXT = 'Tom and Lily went to the park. They saw a big dog.';

/** A block that passes its input through (what removing a layer amounts to). */
class IdentityBlock extends Module implements DecoderBlock {
  forward(h: Variable): Variable {
    return h;
  }
}

const bits = (a: ArrayLike<number>) => new Uint32Array(Float32Array.from(a).buffer);
const read = async (t: Tensor) => (await data(t)) as Float32Array;

/** Logits of `head(h)` for a hidden state h [1, T, D]. */
async function headLogits(model: LlamaForCausalLM, h: Tensor): Promise<Float32Array> {
  return scope(async () => read(model.head(h)));
}

describe.each([
  ['stories260K', loadStories260K, 2],
  ['tinystories-12L', loadTinystories, 5],
] as const)('%s hidden states', (_name, load, j) => {
  let loaded: LoadedModel;
  let model: LlamaForCausalLM;
  let ids: number[];
  let numLayers: number;

  beforeAll(async () => {
    await getDevice();
    loaded = await load();
    model = loaded.model;
    numLayers = model.layers.length;
    ids = loaded.tokenizer?.encode(TEXT, { bos: true }) as number[];
  });

  afterAll(() => model?.dispose());

  it('forward returns boundary 0 = embeddings and boundary L = what head() turns into the logits', async () => {
    const { dim, hidden, logits, embeddingRows, headOfLast } = await scope(async () => {
      const input = tensor(Int32Array.from(ids), [1, ids.length]);
      const out = model.forward(input, { hiddenStates: [0, j, numLayers] });
      expect([...out.hidden.keys()].sort((a, b) => a - b)).toEqual([0, j, numLayers]);
      const d = model.config.hiddenSize;
      const result = {
        dim: d,
        hidden: new Map<number, Float32Array>(),
        logits: await read(out.logits as Tensor),
        embeddingRows: new Float32Array(0),
        headOfLast: await headLogits(model, out.hidden.get(numLayers) as Tensor),
      };
      for (const [k, h] of out.hidden) {
        expect(h.shape).toEqual([1, ids.length, d]);
        result.hidden.set(k, await read(h));
        h.dispose();
      }
      const table = await read(model.model.embedTokens.weight.value);
      result.embeddingRows = Float32Array.from(ids.flatMap((id) => Array.from(row(table, id, d))));
      return result;
    });
    expect(bits(hidden.get(0) as Float32Array)).toEqual(bits(embeddingRows));
    expect(bits(headOfLast)).toEqual(bits(logits));
    expect(dim).toBe(model.config.hiddenSize);
    // Intermediate boundaries differ from both ends.
    expect(hidden.get(j)).not.toEqual(hidden.get(0));
    expect(hidden.get(j)).not.toEqual(hidden.get(numLayers));
  });

  it('runLayers(h_j, j, L) reproduces boundary L; embed + runLayers + head is forward', async () => {
    await scope(async () => {
      const input = tensor(Int32Array.from(ids), [1, ids.length]);
      const out = model.forward(input, { hiddenStates: [j, numLayers], logits: false });
      expect(out.logits).toBeUndefined();
      const hj = out.hidden.get(j) as Tensor;
      const hl = out.hidden.get(numLayers) as Tensor;
      const again = noGrad(() => model.runLayers(variable(hj), j, numLayers).value);
      expect(bits(await read(again))).toEqual(bits(await read(hl)));
      // An empty range returns (a view of) its input.
      const same = noGrad(() => model.runLayers(variable(hj), j, j).value);
      expect(bits(await read(same))).toEqual(bits(await read(hj)));

      const composed = noGrad(() => {
        const e = model.embed(input);
        return model.head(model.runLayers(e, 0, numLayers).value);
      });
      expect(bits(await read(composed))).toEqual(bits(await logitsOf(model, ids)));
    });
  });

  it('rejects boundaries outside 0…L', () => {
    const input = () => tensor(Int32Array.from(ids), [1, ids.length]);
    for (const bad of [-1, numLayers + 1, 1.5]) {
      expect(() => scope(() => model.forward(input(), { hiddenStates: [bad] }))).toThrow(
        new RegExp(`hidden-state boundary ${bad} is outside 0…${numLayers}`),
      );
    }
  });

  it('follows edits of the layer list (remove, replace by an identity block, restore)', async () => {
    const k = 1;
    const full = await logitsOf(model, ids);
    // Expected without layer k: layers 0…k−1, then k+1…L−1, computed on the intact model.
    const skipped = await scope(async () => {
      const input = tensor(Int32Array.from(ids), [1, ids.length]);
      return noGrad(() => {
        const before = model.runLayers(model.embed(input), 0, k);
        return read(model.head(model.runLayers(before, k + 1, numLayers).value));
      });
    });
    const [removed] = model.layers.splice(k, 1) as [DecoderBlock];
    try {
      expect(model.layers.length).toBe(numLayers - 1);
      expect(bits(await logitsOf(model, ids))).toEqual(bits(skipped));
      model.layers.splice(k, 0, new IdentityBlock());
      expect(bits(await logitsOf(model, ids))).toEqual(bits(skipped));
      const viaRunLayers = await scope(async () => {
        const input = tensor(Int32Array.from(ids), [1, ids.length]);
        return read(
          noGrad(() => model.head(model.runLayers(model.embed(input), 0, numLayers).value)),
        );
      });
      expect(bits(viaRunLayers)).toEqual(bits(skipped));
      // And when decoding with a KV cache (the identity has no cache to fill).
      const cache = model.createKvCache(1, ids.length);
      try {
        expect(bits(await logitsOf(model, ids, { cache }))).toEqual(bits(skipped));
      } finally {
        cache.dispose();
      }
    } finally {
      model.layers.splice(k, 1, removed);
    }
    expect(model.layers.length).toBe(numLayers);
    expect(bits(await logitsOf(model, ids))).toEqual(bits(full));
  });
});
