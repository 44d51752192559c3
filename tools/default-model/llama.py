"""A small Llama-architecture decoder (RMSNorm, rotary positions, grouped-query
attention, SwiGLU MLP, tied embeddings) whose parameter names, layouts and
numerics match Hugging Face ``LlamaForCausalLM``.

``forward(input_ids, attention_mask, position_ids, *past)`` is the exported
ONNX signature: ``past`` is flat (key0, value0, key1, value1, ...) and the
result is flat ``(logits, present_key0, present_value0, ...)``.
"""
import math
from dataclasses import dataclass, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F

NEG = torch.finfo(torch.float32).min


@dataclass
class LlamaConfig:
    vocab_size: int = 2048
    hidden_size: int = 256
    intermediate_size: int = 688
    num_hidden_layers: int = 4
    num_attention_heads: int = 8
    num_key_value_heads: int = 2
    head_dim: int = 32
    max_position_embeddings: int = 512
    rms_norm_eps: float = 1e-5
    rope_theta: float = 10000.0
    tie_word_embeddings: bool = True
    initializer_range: float = 0.02

    def to_dict(self):
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.weight * (x * torch.rsqrt(var + self.eps))


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Attention(nn.Module):
    def __init__(self, c: LlamaConfig):
        super().__init__()
        self.h, self.kv, self.d = c.num_attention_heads, c.num_key_value_heads, c.head_dim
        self.q_proj = nn.Linear(c.hidden_size, self.h * self.d, bias=False)
        self.k_proj = nn.Linear(c.hidden_size, self.kv * self.d, bias=False)
        self.v_proj = nn.Linear(c.hidden_size, self.kv * self.d, bias=False)
        self.o_proj = nn.Linear(self.h * self.d, c.hidden_size, bias=False)

    def forward(self, x, cos, sin, bias, past_k=None, past_v=None):
        b, s, _ = x.shape
        q = self.q_proj(x).view(b, s, self.h, self.d).transpose(1, 2)
        k = self.k_proj(x).view(b, s, self.kv, self.d).transpose(1, 2)
        v = self.v_proj(x).view(b, s, self.kv, self.d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past_k is not None:
            k = torch.cat([past_k, k], dim=2)
            v = torch.cat([past_v, v], dim=2)
        present = (k, v)
        t = k.shape[2]
        rep = self.h // self.kv
        # GQA without repeat_interleave (see the ONNX export notes in the README)
        kk = k.unsqueeze(2).expand(b, self.kv, rep, t, self.d).reshape(b, self.h, t, self.d)
        vv = v.unsqueeze(2).expand(b, self.kv, rep, t, self.d).reshape(b, self.h, t, self.d)
        scores = torch.matmul(q, kk.transpose(2, 3)) * (1.0 / math.sqrt(self.d))
        scores = scores + bias
        probs = torch.softmax(scores, dim=-1)
        out = torch.matmul(probs, vv).transpose(1, 2).reshape(b, s, self.h * self.d)
        return self.o_proj(out), present


class MLP(nn.Module):
    def __init__(self, c: LlamaConfig):
        super().__init__()
        self.gate_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.up_proj = nn.Linear(c.hidden_size, c.intermediate_size, bias=False)
        self.down_proj = nn.Linear(c.intermediate_size, c.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class DecoderLayer(nn.Module):
    def __init__(self, c: LlamaConfig):
        super().__init__()
        self.self_attn = Attention(c)
        self.mlp = MLP(c)
        self.input_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)
        self.post_attention_layernorm = RMSNorm(c.hidden_size, c.rms_norm_eps)

    def forward(self, x, cos, sin, bias, past_k=None, past_v=None):
        a, present = self.self_attn(self.input_layernorm(x), cos, sin, bias, past_k, past_v)
        x = x + a
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x, present


class Backbone(nn.Module):
    """Holds the parameters under the ``model.`` prefix, as in Hugging Face."""

    def __init__(self, c: LlamaConfig):
        super().__init__()
        self.embed_tokens = nn.Embedding(c.vocab_size, c.hidden_size)
        self.layers = nn.ModuleList([DecoderLayer(c) for _ in range(c.num_hidden_layers)])
        self.norm = RMSNorm(c.hidden_size, c.rms_norm_eps)


class LlamaForCausalLM(nn.Module):
    def __init__(self, c: LlamaConfig):
        super().__init__()
        self.config = c
        self.model = Backbone(c)
        if not c.tie_word_embeddings:
            self.lm_head = nn.Linear(c.hidden_size, c.vocab_size, bias=False)
        inv_freq = 1.0 / (c.rope_theta ** (torch.arange(0, c.head_dim, 2, dtype=torch.float32) / c.head_dim))
        self.register_buffer("inv_freq", inv_freq, persistent=False)

    def init_weights(self, generator):
        c = self.config
        std = c.initializer_range
        for name, p in self.named_parameters():
            if name.endswith("norm.weight") or "layernorm" in name:
                nn.init.ones_(p)
            else:
                s = std / math.sqrt(2 * c.num_hidden_layers) if name.endswith(("o_proj.weight", "down_proj.weight")) else std
                with torch.no_grad():
                    p.copy_(torch.randn(p.shape, generator=generator) * s)

    def lm_weight(self):
        return self.model.embed_tokens.weight if self.config.tie_word_embeddings else self.lm_head.weight

    def rotary(self, position_ids):
        # cos/sin computed in-graph from position_ids: [b, 1, s, head_dim]
        freqs = position_ids.unsqueeze(-1).float() * self.inv_freq
        emb = torch.cat((freqs, freqs), dim=-1)
        return emb.cos().unsqueeze(1), emb.sin().unsqueeze(1)

    def hidden(self, input_ids, position_ids, bias, past=None):
        x = self.model.embed_tokens(input_ids)
        cos, sin = self.rotary(position_ids)
        presents = []
        for i, layer in enumerate(self.model.layers):
            pk = past[2 * i] if past is not None else None
            pv = past[2 * i + 1] if past is not None else None
            x, (k, v) = layer(x, cos, sin, bias, pk, pv)
            presents += [k, v]
        return self.model.norm(x), presents

    def logits(self, h):
        return torch.matmul(h, self.lm_weight().t())

    def forward(self, input_ids, attention_mask, position_ids, *past):
        """Decoder-with-past step. attention_mask: [b, past+seq] (1 = keep)."""
        s = input_ids.shape[1]
        total = attention_mask.shape[1]
        q_pos = torch.arange(s, device=input_ids.device) + (total - s)
        k_pos = torch.arange(total, device=input_ids.device)
        causal = k_pos.unsqueeze(0) <= q_pos.unsqueeze(1)                  # [s, total]
        keep = causal.unsqueeze(0).unsqueeze(0) & attention_mask.unsqueeze(1).unsqueeze(2).bool()
        bias = (1.0 - keep.float()) * NEG                                   # finite, no -inf
        h, presents = self.hidden(input_ids, position_ids, bias, list(past) if past else None)
        return (self.logits(h), *presents)

    def train_logits(self, input_ids, position_ids, keep):
        """Training forward with an explicit boolean [b, s, s] attention pattern."""
        bias = (1.0 - keep.unsqueeze(1).float()) * NEG
        h, _ = self.hidden(input_ids, position_ids, bias)
        return self.logits(h)


def empty_past(config, batch):
    z = torch.zeros(batch, config.num_key_value_heads, 0, config.head_dim)
    return [z.clone() for _ in range(2 * config.num_hidden_layers)]
