"""Tiny random-weight decoders with the interface ONNX Runtime GenAI's model builder gives each type.

Used by make_fixtures.py. Every type is one small transformer whose switches follow its family
(normalisation, rotary or learned positions, gated MLP, parallel block, biases, tied embeddings),
exported with Debian's torch 1.13 at opset 17 using standard ONNX operators. What the loader sees is
what the builder writes for a CPU float32 model:

  inputs   input_ids, attention_mask (int64), past_key_values.%d.key / .value (float32,
           [batch_size, kv_heads, past_sequence_length, kv_cache_dim]); no position_ids, because
           the builder fuses rotary embeddings into GroupQueryAttention (phi keeps position_ids, as
           builds without fused rotary embeddings have it)
  outputs  logits [batch_size, sequence_length, vocab], present.%d.key / .value
  genai_config.json as the builder's make_genai_config writes it.

gpt2 has the interface of ONNX Runtime's GPT-2 converter that GenAI reads: int32 input_ids,
position_ids and attention_mask, combined past_%d / present_%d of shape [2, batch, heads, seq, head],
and a genai_config.json that gives only num_key_value_heads, head_size and num_hidden_layers.
"""
import json
import math
import os

import torch
from torch import nn

VOCAB = 320
CONTEXT = 128
EOS = 2
BOS = 1

TYPES = {
    # type: hidden, heads, kv_heads, head_size, intermediate, switches
    "gpt2": dict(hidden=32, heads=4, kv=4, head=8, inter=64, norm="layer", rotary=0.0, learned_pos=True,
                 act="gelu_tanh", gated=False, bias=True, tied=True),
    "llama": dict(hidden=32, heads=4, kv=2, head=8, inter=64, norm="rms", rotary=1.0, act="silu", gated=True),
    "mistral": dict(hidden=32, heads=4, kv=1, head=8, inter=64, norm="rms", rotary=1.0, act="silu", gated=True),
    "phi": dict(hidden=32, heads=4, kv=4, head=8, inter=64, norm="layer", rotary=0.5, act="gelu_tanh",
                gated=False, bias=True, parallel=True, lm_bias=True, position_ids=True),
    "phi3": dict(hidden=32, heads=4, kv=4, head=8, inter=64, norm="rms", rotary=1.0, act="silu", gated=True),
    "qwen2": dict(hidden=32, heads=4, kv=2, head=8, inter=64, norm="rms", rotary=1.0, act="silu", gated=True,
                  qkv_bias=True, tied=True),
    # Gemma's head size is not hidden / heads, and it scales embeddings and offsets its RMSNorm by 1.
    "gemma": dict(hidden=32, heads=4, kv=1, head=16, inter=64, norm="rms", norm_offset=1.0, rotary=1.0,
                  act="gelu_tanh", gated=True, embed_scale=True, tied=True),
}


class Norm(nn.Module):
    def __init__(self, size, kind, offset=0.0):
        super().__init__()
        self.kind, self.offset = kind, offset
        self.weight = nn.Parameter(torch.randn(size) * 0.1 + (0.0 if offset else 1.0))
        self.bias = nn.Parameter(torch.randn(size) * 0.1) if kind == "layer" else None

    def forward(self, x):
        if self.kind == "layer":
            x = (x - x.mean(-1, keepdim=True)) / torch.sqrt(x.var(-1, keepdim=True, unbiased=False) + 1e-5)
            return x * self.weight + self.bias
        x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6)
        return x * (self.weight + self.offset)


def activation(kind, x):
    if kind == "silu":
        return x * torch.sigmoid(x)
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        h, q, kv = c["hidden"], c["heads"] * c["head"], c["kv"] * c["head"]
        bias = c.get("bias", False)
        self.norm1 = Norm(h, c["norm"], c.get("norm_offset", 0.0))
        self.norm2 = None if c.get("parallel") else Norm(h, c["norm"], c.get("norm_offset", 0.0))
        self.q = nn.Linear(h, q, bias=bias or c.get("qkv_bias", False))
        self.k = nn.Linear(h, kv, bias=bias or c.get("qkv_bias", False))
        self.v = nn.Linear(h, kv, bias=bias or c.get("qkv_bias", False))
        self.o = nn.Linear(q, h, bias=bias)
        self.up = nn.Linear(h, c["inter"], bias=bias)
        self.gate = nn.Linear(h, c["inter"], bias=False) if c["gated"] else None
        self.down = nn.Linear(c["inter"], h, bias=bias)

    def attention(self, x, cos, sin, mask_bias, past_k, past_v):
        c = self.c
        b, s = x.shape[0], x.shape[1]
        q = self.q(x).view(b, s, c["heads"], c["head"]).transpose(1, 2)
        k = self.k(x).view(b, s, c["kv"], c["head"]).transpose(1, 2)
        v = self.v(x).view(b, s, c["kv"], c["head"]).transpose(1, 2)
        rot = int(c["head"] * c["rotary"])
        if rot:
            q = torch.cat((q[..., :rot] * cos + rotate_half(q[..., :rot]) * sin, q[..., rot:]), dim=-1)
            k = torch.cat((k[..., :rot] * cos + rotate_half(k[..., :rot]) * sin, k[..., rot:]), dim=-1)
        k = torch.cat((past_k, k), dim=2)
        v = torch.cat((past_v, v), dim=2)
        rep = c["heads"] // c["kv"]
        t = k.shape[2]
        ks = k.unsqueeze(2).expand(b, c["kv"], rep, t, c["head"]).reshape(b, c["heads"], t, c["head"])
        vs = v.unsqueeze(2).expand(b, c["kv"], rep, t, c["head"]).reshape(b, c["heads"], t, c["head"])
        scores = torch.matmul(q, ks.transpose(2, 3)) / math.sqrt(c["head"]) + mask_bias
        out = torch.matmul(torch.softmax(scores, dim=-1), vs)
        return self.o(out.transpose(1, 2).reshape(b, s, c["heads"] * c["head"])), k, v

    def mlp(self, x):
        up = self.up(x)
        return self.down(activation(self.c["act"], self.gate(x)) * up if self.gate is not None
                         else activation(self.c["act"], up))

    def forward(self, x, cos, sin, mask_bias, past_k, past_v):
        n = self.norm1(x)
        a, k, v = self.attention(n, cos, sin, mask_bias, past_k, past_v)
        if self.norm2 is None:
            return x + a + self.mlp(n), k, v
        x = x + a
        return x + self.mlp(self.norm2(x)), k, v


class Decoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = nn.Embedding(VOCAB, c["hidden"])
        self.positions = nn.Embedding(CONTEXT, c["hidden"]) if c.get("learned_pos") else None
        self.blocks = nn.ModuleList(Block(c) for _ in range(2))
        self.norm = Norm(c["hidden"], c["norm"], c.get("norm_offset", 0.0))
        self.lm_head = None if c.get("tied") else nn.Linear(c["hidden"], VOCAB, bias=c.get("lm_bias", False))
        rot = int(c["head"] * c["rotary"])
        if rot:
            self.register_buffer("inv_freq", 1.0 / (10000.0 ** (torch.arange(0, rot, 2).float() / rot)))

    def forward(self, input_ids, attention_mask, position_ids, pasts):
        c = self.c
        ids, mask = input_ids.long(), attention_mask.long()
        s = ids.shape[1]
        total = mask.shape[1]
        if position_ids is None:
            # As GroupQueryAttention does: positions count the attended tokens before each new one.
            position_ids = (torch.cumsum(mask, dim=1) - 1)[:, total - s:]
        position_ids = position_ids.long()
        x = self.embed(ids)
        if c.get("embed_scale"):
            x = x * math.sqrt(c["hidden"])
        if self.positions is not None:
            x = x + self.positions(position_ids)
        cos = sin = None
        if c["rotary"]:
            freqs = position_ids[..., None].float() * self.inv_freq
            emb = torch.cat((freqs, freqs), dim=-1)
            cos, sin = emb.cos()[:, None], emb.sin()[:, None]
        causal = torch.arange(total)[None, :] <= (torch.arange(s)[:, None] + (total - s))
        allowed = causal[None, None] & mask[:, None, None, :].bool()
        mask_bias = torch.where(allowed, torch.tensor(0.0), torch.tensor(torch.finfo(torch.float32).min))
        presents = []
        for block, past in zip(self.blocks, pasts):
            x, k, v = block(x, cos, sin, mask_bias, past[0], past[1])
            presents.append((k, v))
        x = self.norm(x)
        logits = torch.matmul(x, self.embed.weight.t()) if self.lm_head is None else self.lm_head(x)
        return logits, presents


class Exported(nn.Module):
    """Flat positional inputs and outputs, so that graph names line up one to one."""

    def __init__(self, decoder, combined, position_ids):
        super().__init__()
        self.decoder, self.combined, self.with_positions = decoder, combined, position_ids

    def forward(self, input_ids, attention_mask, *rest):
        position_ids = rest[0] if self.with_positions else None
        flat = rest[1:] if self.with_positions else rest
        if self.combined:
            pasts = [(p[0], p[1]) for p in flat]
        else:
            pasts = [(flat[2 * i], flat[2 * i + 1]) for i in range(len(flat) // 2)]
        logits, presents = self.decoder(input_ids, attention_mask, position_ids, pasts)
        if self.combined:
            return (logits, *[torch.stack((k, v)) for k, v in presents])
        return (logits, *[t for kv in presents for t in kv])


def make(model_type, out):
    c = TYPES[model_type]
    torch.manual_seed(sum(map(ord, model_type)))
    decoder = Decoder(c).eval()
    with torch.no_grad():
        for p in decoder.parameters():
            if p.dim() > 1:
                p.normal_(0.0, 0.3)
    gpt2 = model_type == "gpt2"
    with_positions = gpt2 or c.get("position_ids", False)
    ids_type = torch.int32 if gpt2 else torch.int64
    batch, seq, past = 1, 3, 2
    names_in = ["input_ids", "attention_mask"] + (["position_ids"] if with_positions else [])
    args = [torch.randint(3, VOCAB, (batch, seq), dtype=ids_type), torch.ones(batch, past + seq, dtype=ids_type)]
    if with_positions:
        args.append(torch.arange(past, past + seq, dtype=ids_type)[None])
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"},
            "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"},
            "logits": {0: "batch_size", 1: "sequence_length"}}
    names_out = ["logits"]
    for i in range(2):
        if gpt2:
            args.append(torch.randn(2, batch, c["kv"], past, c["head"]))
            names_in.append(f"past_{i}")
            names_out.append(f"present_{i}")
            axes[f"past_{i}"] = {1: "batch_size", 3: "past_sequence_length"}
            axes[f"present_{i}"] = {1: "batch_size", 3: "total_sequence_length"}
        else:
            for part in ("key", "value"):
                args.append(torch.randn(batch, c["kv"], past, c["head"]))
                names_in.append(f"past_key_values.{i}.{part}")
                names_out.append(f"present.{i}.{part}")
                axes[f"past_key_values.{i}.{part}"] = {0: "batch_size", 2: "past_sequence_length", 3: "kv_cache_dim"}
                axes[f"present.{i}.{part}"] = {0: "batch_size", 2: "total_sequence_length", 3: "kv_cache_dim"}
    model = Exported(decoder, gpt2, with_positions)
    path = os.path.join(out, "model.onnx")
    torch.onnx.export(model, tuple(args), path, input_names=names_in, output_names=names_out,
                      dynamic_axes={k: v for k, v in axes.items() if k in names_in + names_out}, opset_version=17,
                      do_constant_folding=True)
    with open(os.path.join(out, "genai_config.json"), "w") as f:
        json.dump(gpt2_config(c) if gpt2 else builder_config(model_type, c, with_positions), f, indent=4)
        f.write("\n")


def gpt2_config(c):
    return {"model": {
        "type": "gpt2", "pad_token_id": EOS, "bos_token_id": BOS, "eos_token_id": EOS, "vocab_size": VOCAB,
        "context_length": CONTEXT,
        "decoder": {
            "session_options": {"session.use_device_allocator_for_initializers": "0", "provider_options": []},
            "filename": "model.onnx", "num_key_value_heads": c["kv"], "head_size": c["head"], "num_hidden_layers": 2,
            "inputs": {"past_names": "past_%d"}, "outputs": {"present_names": "present_%d"}}}}


def builder_config(model_type, c, with_positions):
    inputs = {"input_ids": "input_ids", "attention_mask": "attention_mask"}
    if with_positions:
        inputs["position_ids"] = "position_ids"
    inputs.update(past_key_names="past_key_values.%d.key", past_value_names="past_key_values.%d.value")
    return {
        "model": {
            "bos_token_id": BOS,
            "context_length": CONTEXT,
            "decoder": {
                "session_options": {"log_id": "onnxruntime-genai", "provider_options": []},
                "filename": "model.onnx",
                "head_size": c["head"],
                "hidden_size": c["hidden"],
                "inputs": inputs,
                "outputs": {"logits": "logits", "present_key_names": "present.%d.key",
                            "present_value_names": "present.%d.value"},
                "num_attention_heads": c["heads"],
                "num_hidden_layers": 2,
                "num_key_value_heads": c["kv"],
            },
            "eos_token_id": EOS,
            "pad_token_id": EOS,
            "type": model_type,
            "vocab_size": VOCAB,
        },
        "search": {
            "diversity_penalty": 0.0, "do_sample": False, "early_stopping": True, "length_penalty": 1.0,
            "max_length": CONTEXT, "min_length": 0, "no_repeat_ngram_size": 0, "num_beams": 1,
            "num_return_sequences": 1, "past_present_share_buffer": False, "repetition_penalty": 1.0,
            "temperature": 1.0, "top_k": 50, "top_p": 1.0,
        },
    }
