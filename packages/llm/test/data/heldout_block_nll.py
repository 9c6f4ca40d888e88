"""Per-block next-token NLL of tinystories-12L on heldout.txt, with an independent float64 numpy
port of Hugging Face's LlamaForCausalLM (rotate-half RoPE, grouped-query attention, SwiGLU, tied
embeddings). It is a reference for perplexity tests that score only a slice of the 149 blocks:
the sum over all blocks reproduces reference.json's mean NLL 1.84363 (ppl 6.3195), which checks
both this port and the token ids it was given.

Usage (numpy only):
  node --conditions=@llm-streamline/source --import tsx test/data/dump-heldout-blocks.mts \
      <shared data> > /tmp/heldout-blocks.json
  python3 test/data/heldout_block_nll.py <shared data> /tmp/heldout-blocks.json \
      > test/data/tinystories-12L-heldout-block-nll.json
  npx biome format --write test/data   # the checked-in file is Biome-formatted
"""
import json
import sys

import numpy as np

data_dir, blocks_path = sys.argv[1], sys.argv[2]
mdir = f"{data_dir}/tinystories-12L"
cfg = json.load(open(f"{mdir}/config.json"))
raw = open(f"{mdir}/model.safetensors", "rb").read()
n = int.from_bytes(raw[:8], "little")
header = json.loads(raw[8 : 8 + n])
W = {}
for name, e in header.items():
    if name == "__metadata__":
        continue
    assert e["dtype"] == "F32"
    b, t = e["data_offsets"]
    W[name] = np.frombuffer(raw[8 + n + b : 8 + n + t], dtype="<f4").reshape(e["shape"]).astype(np.float64)

D, H, KV = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
HD, L, EPS, THETA = D // H, cfg["num_hidden_layers"], cfg["rms_norm_eps"], cfg["rope_theta"]


def rms(x, w):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + EPS) * w


def rope(x, cos, sin):  # x [h, T, hd], rotate-half layout
    half = x.shape[-1] // 2
    rot = np.concatenate([-x[..., half:], x[..., :half]], -1)
    return x * cos + rot * sin


def nll_sum(ids):
    T = len(ids)
    inv = 1.0 / THETA ** (np.arange(0, HD, 2) / HD)
    ang = np.outer(np.arange(T), inv)
    cos, sin = np.cos(np.concatenate([ang, ang], -1)), np.sin(np.concatenate([ang, ang], -1))
    mask = np.triu(np.full((T, T), -np.inf), 1)
    h = W["model.embed_tokens.weight"][ids]
    for i in range(L):
        p = f"model.layers.{i}."
        x = rms(h, W[p + "input_layernorm.weight"])
        q = (x @ W[p + "self_attn.q_proj.weight"].T).reshape(T, H, HD).transpose(1, 0, 2)
        k = (x @ W[p + "self_attn.k_proj.weight"].T).reshape(T, KV, HD).transpose(1, 0, 2)
        v = (x @ W[p + "self_attn.v_proj.weight"].T).reshape(T, KV, HD).transpose(1, 0, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        k, v = np.repeat(k, H // KV, 0), np.repeat(v, H // KV, 0)
        s = q @ k.transpose(0, 2, 1) / np.sqrt(HD) + mask
        s = np.exp(s - s.max(-1, keepdims=True))
        o = (s / s.sum(-1, keepdims=True)) @ v
        h = h + o.transpose(1, 0, 2).reshape(T, D) @ W[p + "self_attn.o_proj.weight"].T
        x = rms(h, W[p + "post_attention_layernorm.weight"])
        g = x @ W[p + "mlp.gate_proj.weight"].T
        u = x @ W[p + "mlp.up_proj.weight"].T
        h = h + (g / (1 + np.exp(-g)) * u) @ W[p + "mlp.down_proj.weight"].T
    logits = rms(h, W["model.norm.weight"]) @ W["model.embed_tokens.weight"].T
    logits = logits - logits.max(-1, keepdims=True)
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    return float(-logp[np.arange(T - 1), ids[1:]].sum())


blocks = json.load(open(blocks_path))
sums = [nll_sum(np.array(b)) for b in blocks]
count = sum(len(b) - 1 for b in blocks)
mean = sum(sums) / count
out = {
    "description": "tinystories-12L on heldout.txt: next-token NLL summed over positions 1..255 of each "
    "256-token block (packBlocks), float64 numpy port (heldout_block_nll.py)",
    "block": 256,
    "blocks": len(blocks),
    "tokens_scored": count,
    "mean_nll": mean,
    "ppl": float(np.exp(mean)),
    "first_ids": [b[:8] for b in blocks],
    "block_nll_sum": sums,
}
# One line per key: readable diffs without one line per number.
print("{\n" + ",\n".join(f" {json.dumps(k)}: {json.dumps(v)}" for k, v in out.items()) + "\n}")
