import * as T from '@llm-streamline/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import * as A from '../src/index.js';
import { cpuMatmul, randomArray, read, testDevice } from './helpers.js';

class Block extends A.Module {
  readonly norm = this.registerModule('input_layernorm', new A.RMSNorm(4));
  readonly mlp = this.registerModule('mlp', new A.SwiGLU(4, 6));
}

class Toy extends A.Module {
  readonly embed = this.registerModule('embed_tokens', new A.Embedding(10, 4));
  readonly layers = this.registerModule('layers', new A.ModuleList([new Block(), new Block()]));
}

const BLOCK_KEYS = [
  'input_layernorm.weight',
  'mlp.gate_proj.weight',
  'mlp.up_proj.weight',
  'mlp.down_proj.weight',
];

describe('Module', () => {
  beforeAll(testDevice);

  it('names parameters with dotted Hugging Face paths, in registration order', () => {
    const model = new Toy();
    const names = model.namedParameters().map(([n]) => n);
    expect(names).toEqual([
      'embed_tokens.weight',
      ...BLOCK_KEYS.map((k) => `layers.0.${k}`),
      ...BLOCK_KEYS.map((k) => `layers.1.${k}`),
    ]);
    expect(model.parameters().every((p) => p.requiresGrad)).toBe(true);
    expect(model.layers.at(1).mlp.gateProj.weight.name).toBe('layers.1.mlp.gate_proj.weight');
    expect(model.parameterCount()).toBe(40 + 2 * (4 + 3 * 24));
    model.dispose();
  });

  it('ModuleList.splice renumbers the layers', () => {
    const model = new Toy();
    const [removed] = model.layers.splice(0, 1);
    expect(model.namedParameters().map(([n]) => n)).toEqual([
      'embed_tokens.weight',
      ...BLOCK_KEYS.map((k) => `layers.0.${k}`),
    ]);
    removed?.dispose();
    model.dispose();
  });

  it('stateDict round-trips through loadStateDict into a fresh model', async () => {
    A.manualSeed(1);
    const a = new Toy();
    const b = new Toy(); // different seeds → different weights
    const key = 'layers.1.mlp.down_proj.weight';
    expect(await read(a.stateDict().get(key) as T.Tensor)).not.toEqual(
      await read(b.stateDict().get(key) as T.Tensor),
    );
    expect(b.loadStateDict(a.stateDict())).toEqual({ missingKeys: [], unexpectedKeys: [] });
    expect(await read(b.stateDict().get(key) as T.Tensor)).toEqual(
      await read(a.stateDict().get(key) as T.Tensor),
    );
    a.dispose();
    // b shares a's storage, which stays alive until b lets go of it too.
    expect(await read(b.stateDict().get(key) as T.Tensor)).toHaveLength(24);
    b.dispose();
  });

  it('loadStateDict names missing, unexpected and mis-shaped keys, and loads nothing on error', async () => {
    const model = new Toy();
    const state = new Map(model.stateDict());
    const before = await read(model.embed.weight.value);
    const wrong = T.zeros([3, 4]);
    const extra = T.zeros([2]);
    state.set('embed_tokens.weight', wrong);
    state.delete('layers.0.mlp.up_proj.weight');
    state.set('lm_head.weight', extra);
    expect(() => model.loadStateDict(state)).toThrow(
      /shape mismatch for embed_tokens\.weight: checkpoint \[3, 4\] vs model \[10, 4\].*missing keys: layers\.0\.mlp\.up_proj\.weight.*unexpected keys: lm_head\.weight/,
    );
    expect(await read(model.embed.weight.value)).toEqual(before);
    // Non-strict loading tolerates missing and unexpected keys, never wrong shapes.
    expect(() => model.loadStateDict(state, { strict: false })).toThrow(/shape mismatch/);
    state.delete('embed_tokens.weight');
    expect(model.loadStateDict(state, { strict: false })).toEqual({
      missingKeys: ['embed_tokens.weight', 'layers.0.mlp.up_proj.weight'],
      unexpectedKeys: ['lm_head.weight'],
    });
    for (const t of [wrong, extra]) t.dispose();
    model.dispose();
  });

  it('freeze/unfreeze, train/eval, and dispose frees every parameter', async () => {
    const device = await testDevice();
    await device.sync();
    const before = device.memoryStats().bytesLive;
    const model = new Toy();
    model.layers.at(0).freeze();
    expect(model.parameters().filter((p) => !p.requiresGrad)).toHaveLength(4);
    model.unfreeze();
    expect(model.parameters().every((p) => p.requiresGrad)).toBe(true);
    model.eval();
    expect(model.namedModules().every(([, m]) => !m.training)).toBe(true);
    model.train();
    expect(model.layers.at(1).mlp.training).toBe(true);
    model.dispose();
    await device.sync();
    expect(device.memoryStats().bytesLive).toBe(before);
  });

  it('registration rejects dotted and duplicate names', () => {
    const m = new A.Module();
    expect(() => m.registerParameter('a.b', T.zeros([1]))).toThrow(/contain no '\.'/);
    m.registerParameter('w', T.zeros([1]));
    expect(() => m.registerModule('w', new A.Module())).toThrow(/already registered/);
    m.dispose();
  });
});

describe('layers', () => {
  beforeAll(testDevice);

  it('Linear: y = x·Wᵀ + b on a 3-d input, with the gradients of x, W and b', async () => {
    const lin = new A.Linear(4, 5, { seed: 7 });
    const xs = randomArray(2 * 3 * 4, 1);
    const rs = randomArray(2 * 3 * 5, 2);
    const x = A.variable(T.tensor(xs, [2, 3, 4]), true);
    const y = await T.scope(async () => {
      const out = lin.forward(x);
      expect(out.shape).toEqual([2, 3, 5]);
      out.backward(T.tensor(rs, [2, 3, 5]));
      return read(out.value);
    });
    const w = await read(lin.weight.value);
    const b = await read(lin.bias?.value as T.Tensor);
    const wT = Array.from({ length: 20 }, (_, k) => w[(k % 5) * 4 + Math.floor(k / 5)] as number); // [4, 5]
    const expected = cpuMatmul(xs, [6, 4], wT, [4, 5]).map((v, i) => v + (b[i % 5] as number));
    expect(y).toBeAllclose(expected, { atol: 1e-5 });
    // dx = R·W, dW = Rᵀ·x, db = Σ_rows R
    const rT = Array.from({ length: 30 }, (_, k) => rs[(k % 6) * 5 + Math.floor(k / 6)] as number); // [5, 6]
    expect(await read(x.grad as T.Tensor)).toBeAllclose(cpuMatmul(rs, [6, 5], w, [5, 4]), {
      atol: 1e-5,
    });
    expect(await read(lin.weight.grad as T.Tensor)).toBeAllclose(
      cpuMatmul(rT, [5, 6], xs, [6, 4]),
      { atol: 1e-5 },
    );
    expect(await read(lin.bias?.grad as T.Tensor)).toBeAllclose(
      [0, 1, 2, 3, 4].map((o) =>
        [0, 1, 2, 3, 4, 5].reduce((s, r) => s + (rs[r * 5 + o] as number), 0),
      ),
      { atol: 1e-5 },
    );
    expect(() => lin.forward(A.variable(T.zeros([2, 3])))).toThrow(
      /Linear\(4 → 5\): input \[2, 3\] must end in 4/,
    );
    x.dispose();
    lin.dispose();
  });

  it('initialisers: PyTorch Linear bounds, reproducible seeds, normal std', async () => {
    const [l1, l2] = [new A.Linear(64, 32, { seed: 3 }), new A.Linear(64, 32, { seed: 3 })];
    const a = await read(l1.weight.value);
    expect(await read(l2.weight.value)).toEqual(a);
    l1.dispose();
    l2.dispose();
    expect(Math.max(...a.map(Math.abs))).toBeLessThanOrEqual(1 / 8);
    expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(0.9 / 8);
    const normal = A.init.normal([4096], 0.02, { seed: 5 });
    const n = await read(normal);
    normal.dispose();
    const std = Math.sqrt(n.reduce((s, v) => s + v * v, 0) / n.length);
    expect(std).toBeGreaterThan(0.019);
    expect(std).toBeLessThan(0.021);
    A.manualSeed(9);
    const s1 = A.init.nextSeed();
    A.manualSeed(9);
    expect(A.init.nextSeed()).toBe(s1);
  });

  it('Embedding, RMSNorm and SwiGLU forward shapes and values', async () => {
    const emb = new A.Embedding(6, 3, { seed: 1 });
    const ids = T.tensor(Int32Array.from([5, 0]), [1, 2]);
    const table = await read(emb.weight.value);
    const rows = T.scope(() => emb.forward(ids));
    expect(rows.shape).toEqual([1, 2, 3]);
    expect(await read(rows.value)).toEqual([...table.slice(15, 18), ...table.slice(0, 3)]);

    const norm = new A.RMSNorm(3, 1e-6);
    const normed = await T.scope(() => read(norm.forward(rows).value));
    const r = Math.sqrt((table[15] ** 2 + table[16] ** 2 + table[17] ** 2) / 3 + 1e-6);
    expect(normed.slice(0, 3)).toBeAllclose(
      table.slice(15, 18).map((v) => v / r),
      { atol: 1e-5 },
    );

    const mlp = new A.SwiGLU(3, 5, { seed: 2 });
    expect(mlp.namedParameters().map(([n, p]) => `${n} ${T.formatShape(p.shape)}`)).toEqual([
      'gate_proj.weight [5, 3]',
      'up_proj.weight [5, 3]',
      'down_proj.weight [3, 5]',
    ]);
    T.scope(() => expect(mlp.forward(rows).shape).toEqual([1, 2, 3]));
    for (const m of [emb, norm, mlp]) m.dispose();
    for (const t of [ids, rows.value]) t.dispose();
  });
});
