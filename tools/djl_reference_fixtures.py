#!/usr/bin/python3
"""Writes the DJL backend's test models and their expected outputs.

Each variant is a tiny random Llama-family model (config.json + safetensors in the Hugging Face
layout) with expected.json: for several prompts, the logits of the last prompt position and the
greedy continuation, computed here by an independent float64 implementation of the Hugging Face
Llama/Mistral/Qwen2 forward pass in PyTorch. Deterministic (fixed seed), no network.

Run with Debian's python3 and python3-torch:
  /usr/bin/python3 tools/djl_reference_fixtures.py backend-djl/src/test/resources/dev/modelhost/backend/djl

With --model MODEL_DIR OUT_FILE it instead writes the expected outputs of an existing checkpoint
(config.json + model.safetensors), e.g. the shipped tiny-random model.
"""
import json
import math
import os
import struct
import sys

import torch

GREEDY_TOKENS = 8
PROMPTS = [[1, 5, 9, 23, 7], [1], [1, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50], [3, 3, 3]]
PROMPTS_LARGE_VOCAB = [[2044, 310, 77, 1200, 5], [2044], [2044, 9, 1800, 640, 641, 642, 17, 300, 1999, 4, 88], [100, 100, 100]]

BASE = {
    "architectures": ["LlamaForCausalLM"],
    "model_type": "llama",
    "hidden_size": 32,
    "intermediate_size": 48,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "vocab_size": 96,
    "max_position_embeddings": 256,
    "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0,
    "hidden_act": "silu",
    "tie_word_embeddings": True,
    "bos_token_id": 1,
    "eos_token_id": 2,
    "torch_dtype": "float32",
}

VARIANTS = {
    "llama-tied": {},
    "llama3-scaled-untied": {
        "tie_word_embeddings": False,
        "head_dim": 16,
        "rope_theta": 500000.0,
        "rope_scaling": {
            "rope_type": "llama3",
            "factor": 8.0,
            "low_freq_factor": 1.0,
            "high_freq_factor": 4.0,
            "original_max_position_embeddings": 16,
        },
    },
    "qwen2-bias": {
        "architectures": ["Qwen2ForCausalLM"],
        "model_type": "qwen2",
        "tie_word_embeddings": False,
        "num_key_value_heads": 1,
        "rope_theta": 1000000.0,
        "rms_norm_eps": 1e-6,
        "use_sliding_window": False,
        "sliding_window": 4,
    },
    "mistral-window": {
        "architectures": ["MistralForCausalLM"],
        "model_type": "mistral",
        "tie_word_embeddings": False,
        "sliding_window": 4,
    },
}


def rope_inv_freq(cfg, head_dim):
    base = cfg["rope_theta"]
    inv = 1.0 / (base ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    scaling = cfg.get("rope_scaling")
    if scaling and scaling.get("rope_type", scaling.get("type")) == "llama3":
        factor = scaling["factor"]
        low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
        old = scaling["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / low, old / high
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > low_wavelen, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < high_wavelen) & ~(wavelen > low_wavelen)
        inv = torch.where(medium, smoothed, scaled)
    return inv


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def forward(cfg, w, ids):
    """Full forward (no cache) of one sequence; returns logits [len, vocab] in float64."""
    h, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim", h // nh)
    eps = cfg["rms_norm_eps"]
    n = len(ids)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    pos = torch.arange(n, dtype=torch.float64)
    freqs = torch.outer(pos, rope_inv_freq(cfg, hd))
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[:, None, :], emb.sin()[:, None, :]
    window = cfg.get("sliding_window")
    if cfg["model_type"] == "qwen2" and not cfg.get("use_sliding_window", False):
        window = None
    i = torch.arange(n)[:, None]
    j = torch.arange(n)[None, :]
    allowed = j <= i
    if window:
        allowed = allowed & (i - j < window)
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."

        def lin(name, inp):
            out = inp @ w[p + name + ".weight"].T
            if p + name + ".bias" in w:
                out = out + w[p + name + ".bias"]
            return out

        a = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = lin("self_attn.q_proj", a).view(n, nh, hd)
        k = lin("self_attn.k_proj", a).view(n, nkv, hd)
        v = lin("self_attn.v_proj", a).view(n, nkv, hd)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = nh // nkv
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        scores = torch.einsum("ihd,jhd->hij", q, k) / math.sqrt(hd)
        scores = scores.masked_fill(~allowed, float("-inf"))
        probs = scores.softmax(-1)
        att = torch.einsum("hij,jhd->ihd", probs, v).reshape(n, nh * hd)
        x = x + lin("self_attn.o_proj", att)
        m = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gate = lin("mlp.gate_proj", m)
        x = x + lin("mlp.down_proj", torch.nn.functional.silu(gate) * lin("mlp.up_proj", m))
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w.get("lm_head.weight", w["model.embed_tokens.weight"])
    return x @ head.T


def random_weights(cfg, gen):
    h, nh, nkv = cfg["hidden_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim", h // nh)
    inter, vocab = cfg["intermediate_size"], cfg["vocab_size"]

    def rnd(*shape, scale):
        return torch.randn(*shape, generator=gen, dtype=torch.float64) * scale

    w = {"model.embed_tokens.weight": rnd(vocab, h, scale=1.0)}
    for layer in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{layer}."
        w[p + "input_layernorm.weight"] = 1.0 + rnd(h, scale=0.1)
        w[p + "post_attention_layernorm.weight"] = 1.0 + rnd(h, scale=0.1)
        w[p + "self_attn.q_proj.weight"] = rnd(nh * hd, h, scale=2.0 / math.sqrt(h))
        w[p + "self_attn.k_proj.weight"] = rnd(nkv * hd, h, scale=2.0 / math.sqrt(h))
        w[p + "self_attn.v_proj.weight"] = rnd(nkv * hd, h, scale=1.0 / math.sqrt(h))
        w[p + "self_attn.o_proj.weight"] = rnd(h, nh * hd, scale=1.0 / math.sqrt(nh * hd))
        w[p + "mlp.gate_proj.weight"] = rnd(inter, h, scale=1.0 / math.sqrt(h))
        w[p + "mlp.up_proj.weight"] = rnd(inter, h, scale=1.0 / math.sqrt(h))
        w[p + "mlp.down_proj.weight"] = rnd(h, inter, scale=1.0 / math.sqrt(inter))
        if cfg["model_type"] == "qwen2":
            w[p + "self_attn.q_proj.bias"] = rnd(nh * hd, scale=0.5)
            w[p + "self_attn.k_proj.bias"] = rnd(nkv * hd, scale=0.5)
            w[p + "self_attn.v_proj.bias"] = rnd(nkv * hd, scale=0.5)
    w["model.norm.weight"] = 1.0 + rnd(h, scale=0.1)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = rnd(vocab, h, scale=2.0 / math.sqrt(h))
    return w


DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int8: "I8"}


def write_safetensors(path, tensors):
    """Safetensors layout: u64 header length, JSON header, then the raw little-endian data."""
    header, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        raw = t.view(torch.uint8).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def expectations(cfg, w, prompts=None):
    cases, min_gap = [], float("inf")
    for prompt in prompts or PROMPTS:
        ids = list(prompt)
        prompt_logits = None
        for _ in range(GREEDY_TOKENS):
            last = forward(cfg, w, ids)[-1]
            top = torch.topk(last, 2).values
            min_gap = min(min_gap, float(top[0] - top[1]))
            if prompt_logits is None:
                prompt_logits = [round(float(v), 6) for v in last]
            ids.append(int(last.argmax()))
        cases.append({"prompt": prompt, "greedy": ids[len(prompt):], "promptLogits": prompt_logits})
    return cases, min_gap


def write_variant(root, name, cfg, w, dtype, shards=1):
    folder = os.path.join(root, name)
    os.makedirs(folder, exist_ok=True)
    stored = {k: v.to(dtype) for k, v in w.items()}
    cfg = dict(cfg, torch_dtype={torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16"}[dtype])
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    if shards == 1:
        write_safetensors(os.path.join(folder, "model.safetensors"), stored)
    else:
        names = sorted(stored)
        weight_map = {}
        for s in range(shards):
            file = f"model-{s + 1:05d}-of-{shards:05d}.safetensors"
            part = {n: stored[n] for n in names[s::shards]}
            write_safetensors(os.path.join(folder, file), part)
            weight_map.update({n: file for n in part})
        with open(os.path.join(folder, "model.safetensors.index.json"), "w") as f:
            json.dump({"metadata": {}, "weight_map": weight_map}, f, indent=2)
    # Expected outputs from the weights as stored (rounded to fp16/bf16), computed in float64.
    cases, gap = expectations(cfg, {k: v.to(torch.float64) for k, v in stored.items()})
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump({"cases": cases}, f, separators=(",", ":"))
    print(f"{name}: smallest top-1/top-2 logit gap on the greedy path {gap:.4f}")


def read_safetensors(path):
    with open(path, "rb") as f:
        length = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(length))
        data = f.read()
    types = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.uint8)
        tensors[name] = raw.view(types[info["dtype"]]).reshape(info["shape"]).to(torch.float64)
    return tensors


def write_model_expectations(model_dir, out_file):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    cfg.setdefault("tie_word_embeddings", False)
    w = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    cases, gap = expectations(cfg, w, PROMPTS_LARGE_VOCAB)
    with open(out_file, "w") as f:
        json.dump({"cases": cases}, f, separators=(",", ":"))
    print(f"{model_dir}: smallest top-1/top-2 logit gap on the greedy path {gap:.4f}")


def main():
    if sys.argv[1] == "--model":
        write_model_expectations(sys.argv[2], sys.argv[3])
        return
    root = sys.argv[1]
    for index, (name, overrides) in enumerate(VARIANTS.items()):
        cfg = dict(BASE, **overrides)
        w = random_weights(cfg, torch.Generator().manual_seed(1234 + index))
        write_variant(root, name, cfg, w, torch.float32)
        if name == "llama-tied":
            write_variant(root, "llama-tied-fp16", cfg, w, torch.float16)
            write_variant(root, "llama-tied-bf16", cfg, w, torch.bfloat16)
            write_variant(root, "llama-tied-sharded", cfg, w, torch.float32, shards=2)
    # Integer weights: the backend must refuse them by name.
    folder = os.path.join(root, "int8-weights")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(BASE, f, indent=2)
    w = random_weights(BASE, torch.Generator().manual_seed(99))
    stored = {k: v.to(torch.float32) for k, v in w.items()}
    stored["model.layers.0.mlp.up_proj.weight"] = stored["model.layers.0.mlp.up_proj.weight"].mul(50).to(torch.int8)
    write_safetensors(os.path.join(folder, "model.safetensors"), stored)


if __name__ == "__main__":
    main()
