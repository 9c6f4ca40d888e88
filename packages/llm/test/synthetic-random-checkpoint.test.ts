/**
 * Random-weight checkpoints at real shapes (src/synthetic): every preset, shrunk to 2 layers and
 * small dimensions, written single and sharded in each dtype, has exactly the tensors transformers
 * writes (names and shapes from rules restated here), loads with the normal loader (llama presets;
 * qwen2 and mistral are checked from their headers), and is reproducible. At full size the presets
 * have the parameter counts their public model cards state.
 */
import { bf16ToF32, data, f16ToF32, getDevice } from '@llm-streamline/tensor';
import { testRuntime } from '@llm-streamline/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseHfConfig } from '../src/config/llama-config.js';
import { bytesByteSource } from '../src/io/byte-source.js';
import { memoryModelDirectory } from '../src/io/model-directory.js';
import { parseSafetensors } from '../src/io/safetensors.js';
import type { DType } from '../src/io/tensor-index.js';
import { readTensorBytes } from '../src/io/tensor-read.js';
import { type LoadedModel, loadHfModel } from '../src/load/load-model.js';
import { MemorySink } from '../src/save/output-sink.js';
import { checkpointTensors } from '../src/save/save-model.js';
import { checkpointDims, checkpointLayout } from '../src/synthetic/checkpoint-layout.js';
import {
  CHECKPOINT_PRESETS,
  type CheckpointPresetName,
  checkpointPreset,
  type HfConfigJson,
} from '../src/synthetic/checkpoint-presets.js';
import type { RandomCheckpointDType } from '../src/synthetic/random-values.js';
import { writeRandomCheckpoint } from '../src/synthetic/write-random-checkpoint.js';

const PRESETS = Object.keys(CHECKPOINT_PRESETS) as CheckpointPresetName[];
const DTYPES: RandomCheckpointDType[] = ['F32', 'F16', 'BF16'];

/** A preset at 2 layers and small dimensions (its GQA ratio kept as far as 4 heads allow). */
function small(name: CheckpointPresetName): HfConfigJson {
  const c = checkpointPreset(name);
  const gqa = c.num_key_value_heads !== c.num_attention_heads;
  return {
    ...c,
    num_hidden_layers: 2,
    hidden_size: 64,
    intermediate_size: 96,
    num_attention_heads: 4,
    num_key_value_heads: gqa ? 2 : 4,
    ...(c.head_dim !== undefined ? { head_dim: 16 } : {}),
  };
}

/** The tensors transformers writes for a config, restated from its modeling files. */
function expectedTensors(c: HfConfigJson): Map<string, number[]> {
  const d = c.hidden_size as number;
  const f = c.intermediate_size as number;
  const heads = c.num_attention_heads as number;
  const headDim = (c.head_dim as number | undefined) ?? d / heads;
  const q = heads * headDim;
  const kv = ((c.num_key_value_heads as number | undefined) ?? heads) * headDim;
  const v = c.vocab_size as number;
  const out = new Map<string, number[]>([['model.embed_tokens.weight', [v, d]]]);
  for (let l = 0; l < (c.num_hidden_layers as number); l++) {
    const p = `model.layers.${l}`;
    out.set(`${p}.self_attn.q_proj.weight`, [q, d]);
    out.set(`${p}.self_attn.k_proj.weight`, [kv, d]);
    out.set(`${p}.self_attn.v_proj.weight`, [kv, d]);
    out.set(`${p}.self_attn.o_proj.weight`, [d, q]);
    if (c.model_type === 'qwen2') {
      out.set(`${p}.self_attn.q_proj.bias`, [q]);
      out.set(`${p}.self_attn.k_proj.bias`, [kv]);
      out.set(`${p}.self_attn.v_proj.bias`, [kv]);
    }
    out.set(`${p}.mlp.gate_proj.weight`, [f, d]);
    out.set(`${p}.mlp.up_proj.weight`, [f, d]);
    out.set(`${p}.mlp.down_proj.weight`, [d, f]);
    out.set(`${p}.input_layernorm.weight`, [d]);
    out.set(`${p}.post_attention_layernorm.weight`, [d]);
  }
  out.set('model.norm.weight', [d]);
  if (c.tie_word_embeddings !== true) out.set('lm_head.weight', [v, d]);
  return out;
}

interface Written {
  files: Map<string, Uint8Array>;
  config: HfConfigJson;
  /** Every tensor's header entry across the shards, with the shard it is in. */
  tensors: Map<string, { dtype: DType; shape: readonly number[]; bytes: Uint8Array; file: string }>;
}

async function write(
  config: HfConfigJson,
  options: Parameters<typeof writeRandomCheckpoint>[2] = {},
): Promise<Written> {
  const sink = new MemorySink();
  await writeRandomCheckpoint(config, sink, options);
  const tensors: Written['tensors'] = new Map();
  for (const [file, bytes] of sink.files) {
    if (!file.endsWith('.safetensors')) continue;
    const parsed = await parseSafetensors(bytesByteSource(bytes, file));
    expect(parsed.metadata).toEqual({ format: 'pt' });
    for (const [name, r] of parsed.tensors)
      tensors.set(name, { dtype: r.dtype, shape: r.shape, bytes: await readTensorBytes(r), file });
  }
  const text = (name: string) => new TextDecoder().decode(sink.files.get(name));
  return { files: sink.files, config: JSON.parse(text('config.json')), tensors };
}

const TORCH = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' } as const;

/** Whether two arrays hold the same bytes (vitest's toEqual is too slow for millions of elements). */
function sameBytes(a: ArrayBufferView | undefined, b: ArrayBufferView | undefined): boolean {
  if (!a || !b || a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function toF32(bytes: Uint8Array, dtype: DType): Float32Array {
  const copy = bytes.slice();
  if (dtype === 'F32') return new Float32Array(copy.buffer);
  const half = new Uint16Array(copy.buffer);
  return dtype === 'F16' ? f16ToF32(half) : bf16ToF32(half);
}

describe('random-weight checkpoints: file structure', () => {
  // Every preset in every dtype; one file and shards alternate, so that each preset and each dtype
  // is written both ways.
  for (const [i, preset] of PRESETS.entries()) {
    for (const [k, dtype] of DTYPES.entries()) {
      const sharded = (i + k) % 2 === 1;
      it(`${preset}, ${dtype}, ${sharded ? 'sharded' : 'one file'}`, async () => {
        const config = small(preset);
        const w = await write(config, {
          dtype,
          seed: 1,
          ...(sharded ? { maxShardBytes: 2e5 } : {}),
        });
        expect(w.config).toEqual({ ...config, torch_dtype: TORCH[dtype] });
        const expected = expectedTensors(config);
        expect(new Set(w.tensors.keys())).toEqual(new Set(expected.keys()));
        for (const [name, t] of w.tensors) {
          expect(t.shape, name).toEqual(expected.get(name));
          expect(t.dtype).toBe(dtype);
        }
        const shards = [...w.files.keys()].filter((f) => f.endsWith('.safetensors')).sort();
        expect(w.files.has('tokenizer.json')).toBe(true);
        if (!sharded) {
          expect(shards).toEqual(['model.safetensors']);
          expect(w.files.has('model.safetensors.index.json')).toBe(false);
          return;
        }
        const n = shards.length;
        expect(n).toBeGreaterThan(1);
        const pad = (i: number) => String(i).padStart(5, '0');
        expect(shards).toEqual(
          Array.from({ length: n }, (_, i) => `model-${pad(i + 1)}-of-${pad(n)}.safetensors`),
        );
        const index = JSON.parse(
          new TextDecoder().decode(w.files.get('model.safetensors.index.json')),
        );
        expect(Object.keys(index.weight_map)).toEqual([...expected.keys()].sort());
        for (const [name, t] of w.tensors) expect(index.weight_map[name]).toBe(t.file);
        const total = [...w.tensors.values()].reduce((a, t) => a + t.bytes.byteLength, 0);
        expect(index.metadata.total_size).toBe(total);
      });
    }
  }

  it('values: normal with std 0.02 (weights and biases), norms at 1; one stream per tensor', async () => {
    const config = small('qwen2.5-0.5b');
    const f32 = await write(config, { dtype: 'F32', seed: 3 });
    const bf16 = await write(config, { dtype: 'BF16', seed: 3, maxShardBytes: 1e5 });
    for (const [name, t] of f32.tensors) {
      const values = toF32(t.bytes, 'F32');
      if (name.endsWith('norm.weight')) {
        expect(values.every((x) => x === 1)).toBe(true);
        continue;
      }
      let sum = 0;
      let squares = 0;
      for (const x of values) {
        sum += x;
        squares += x * x;
      }
      const mean = sum / values.length;
      const std = Math.sqrt(squares / values.length - mean * mean);
      const tolerance = 5 / Math.sqrt(values.length); // five standard errors
      expect(Math.abs(mean) / 0.02, name).toBeLessThan(tolerance);
      expect(Math.abs(std / 0.02 - 1), name).toBeLessThan(Math.max(0.05, 4 * tolerance));
      // The BF16 file holds the same numbers, rounded: the values do not depend on dtype or shard.
      const rounded = toF32(bf16.tensors.get(name)?.bytes as Uint8Array, 'BF16');
      for (let i = 0; i < values.length; i += 97)
        expect(Math.abs((rounded[i] as number) - (values[i] as number))).toBeLessThanOrEqual(
          Math.abs(values[i] as number) / 256,
        );
    }
  });

  it('is reproducible: the same seed writes byte-identical files, another seed other values', async () => {
    const config = small('tinyllama-1.1b');
    const options = { dtype: 'BF16', seed: 7, maxShardBytes: 3e5 } as const;
    const a = await write(config, options);
    const b = await write(config, options);
    expect([...b.files.keys()]).toEqual([...a.files.keys()]);
    for (const [name, bytes] of a.files)
      expect(sameBytes(b.files.get(name), bytes), name).toBe(true);
    const c = await write(config, { ...options, seed: 8 });
    const embed = 'model.embed_tokens.weight';
    expect(sameBytes(c.tensors.get(embed)?.bytes, a.tensors.get(embed)?.bytes)).toBe(false);
  });

  it('rejects configs it cannot lay out, naming the field', () => {
    expect(() => checkpointDims({ ...small('llama-2-7b'), model_type: 'gpt2' })).toThrow(
      /model_type "gpt2"/,
    );
    expect(() => checkpointDims({ ...small('llama-2-7b'), hidden_size: 0 })).toThrow(
      /field "hidden_size" must be a positive integer/,
    );
  });
});

describe('random-weight checkpoints: full-size presets', () => {
  // Parameter counts of the public models (model cards, or sum(p.numel()) of the HF model).
  const PUBLIC_COUNTS: Record<CheckpointPresetName, number> = {
    'smollm2-135m': 134_515_008,
    'tinyllama-1.1b': 1_100_048_384,
    'llama-3.2-1b': 1_235_814_400,
    'qwen2.5-0.5b': 494_032_768,
    'mistral-7b': 7_241_732_096,
    'llama-2-7b': 6_738_415_616,
  };
  for (const preset of PRESETS) {
    it(`${preset} lays out the public model's tensors and parameter count`, () => {
      const config = checkpointPreset(preset);
      const layout = checkpointLayout(checkpointDims(config));
      const expected = expectedTensors(config);
      expect(new Map(layout.map((t) => [t.name, [...t.shape]]))).toEqual(expected);
      const count = layout.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
      expect(count).toBe(PUBLIC_COUNTS[preset]);
    });
  }

  it('every preset is a configuration the loader accepts (llama, mistral, qwen2)', () => {
    for (const preset of PRESETS) {
      const parsed = parseHfConfig(checkpointPreset(preset), preset);
      expect(parsed.vocabSize).toBe(CHECKPOINT_PRESETS[preset].vocab_size);
    }
    const llama32 = parseHfConfig(checkpointPreset('llama-3.2-1b'), 'llama-3.2-1b');
    expect(llama32).toMatchObject({ tieWordEmbeddings: true, headDim: 64, ropeTheta: 500000 });
    expect(llama32.ropeScaling).toMatchObject({ type: 'llama3', factor: 32 });
  });
});

describe('random-weight checkpoints: loading', () => {
  const loaded: LoadedModel[] = [];
  beforeAll(async () => {
    await getDevice();
  });
  afterAll(() => {
    for (const m of loaded) m.model.dispose();
  });

  // Each preset in one dtype, alternating one file and shards.
  const cases = PRESETS.map((preset, i) => ({
    preset,
    dtype: DTYPES[i % DTYPES.length] as RandomCheckpointDType,
    sharded: i % 2 === 1,
  }));
  for (const { preset, dtype, sharded } of cases) {
    it(`${preset}, ${dtype}, ${sharded ? 'sharded' : 'one file'}: loads with the config's shapes and the file's values`, async () => {
      const config = small(preset);
      const w = await write(config, { dtype, seed: 2, ...(sharded ? { maxShardBytes: 2e5 } : {}) });
      const m = await loadHfModel(memoryModelDirectory(Object.fromEntries(w.files), preset));
      loaded.push(m);
      expect(m.config).toEqual(parseHfConfig(config, preset));
      const state = checkpointTensors(m.model);
      expect(new Map([...state].map(([name, t]) => [name, [...t.shape]]))).toEqual(
        expectedTensors(config),
      );
      for (const name of ['model.embed_tokens.weight', 'model.layers.1.mlp.down_proj.weight']) {
        const t = w.tensors.get(name);
        const values = (await data(state.get(name) as never)) as Float32Array;
        expect(sameBytes(values, toF32(t?.bytes as Uint8Array, t?.dtype as DType)), name).toBe(
          true,
        );
      }
      const ids = m.tokenizer?.encode('Hello, world') as number[];
      expect(ids.every((id) => id < (config.vocab_size as number))).toBe(true);
      expect(m.tokenizer?.decode(ids)).toBe('Hello, world');
    });
  }
});

describe.skipIf(testRuntime !== 'node')('Node: make-checkpoint script', () => {
  it('writes a folder that loadModelFromPath loads, the same bytes twice', async () => {
    const { mkdtemp, readdir, readFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { execFile } = await import('node:child_process');
    const { promisify } = await import('node:util');
    const { repoRoot } = await import('@llm-streamline/test-utils/paths');
    const { loadModelFromPath } = await import('../src/node.js');
    const dir = await mkdtemp(join(tmpdir(), 'make-checkpoint-'));
    try {
      const args = (out: string) => [
        '--conditions=@llm-streamline/source',
        '--import',
        'tsx',
        join(repoRoot, 'packages/llm/scripts/make-checkpoint.mts'),
        '--preset',
        'llama-3.2-1b',
        '--layers',
        '2',
        '--set',
        'hidden_size=64',
        '--set',
        'intermediate_size=96',
        '--set',
        'num_attention_heads=4',
        '--set',
        'num_key_value_heads=2',
        '--set',
        'head_dim=16',
        '--dtype',
        'bf16',
        '--shard-size',
        '10MB',
        '--seed',
        '5',
        '--out',
        out,
      ];
      const run = promisify(execFile);
      const a = join(dir, 'a');
      const b = join(dir, 'b');
      const first = await run(process.execPath, args(a), { cwd: repoRoot });
      expect(first.stdout).toMatch(/wrote .*: llama, 2 layers, bfloat16, seed 5/);
      await run(process.execPath, args(b), { cwd: repoRoot });
      const files = (await readdir(a)).sort();
      expect(files).toEqual([
        'config.json',
        'model-00001-of-00002.safetensors',
        'model-00002-of-00002.safetensors',
        'model.safetensors.index.json',
        'tokenizer.json',
        'tokenizer_config.json',
      ]);
      expect(await readdir(b)).toEqual(expect.arrayContaining(files));
      for (const f of files)
        expect(sameBytes(await readFile(join(b, f)), await readFile(join(a, f))), f).toBe(true);

      const m = await loadModelFromPath(a);
      try {
        expect(m.config).toMatchObject({
          numLayers: 2,
          hiddenSize: 64,
          vocabSize: 128256,
          headDim: 16,
        });
        expect(m.model.lmHead).toBeUndefined();
      } finally {
        m.model.dispose();
      }
      await expect(run(process.execPath, args(a), { cwd: repoRoot })).rejects.toThrow(
        /already exists/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
