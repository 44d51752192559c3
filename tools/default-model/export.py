"""Writers for the Hugging Face files (config, generation config, tokenizer
config, safetensors) and the Optimum-layout ONNX decoder-with-past."""
import json
import struct

import torch

from corpus import BOS, EOS, IM_START, IM_END

CHAT_TEMPLATE = (
    # ChatML; with tools, a short system block names them (the context window is 512 tokens) and
    # assistant calls are Hermes <tool_call> blocks.
    "{% if tools %}{{ '<|im_start|>system\\n' }}"
    "{% if messages[0]['role'] == 'system' %}{{ messages[0]['content'] + '\\n\\n' }}"
    "{% endif %}{{ 'Tools:' }}"
    "{% for tool in tools %}{{ ' ' + tool['function']['name'] }}"
    "{% endfor %}{{ '. Call one as <tool_call>{\"name\": ..., \"arguments\": {...}}</tool_call>.<|im_end|>\\n' }}"
    "{% endif %}"
    "{% for message in messages %}"
    "{% if tools and loop.first and message['role'] == 'system' %}"
    "{% elif message['role'] == 'assistant' and message['tool_calls'] %}{{ '<|im_start|>assistant\\n' + (message['content'] or '') }}"
    "{% for call in message['tool_calls'] %}"
    "{% if message['content'] or not loop.first %}{{ '\\n' }}"
    "{% endif %}{{ '<tool_call>\\n{\"name\": ' }}{{ call['function']['name'] | tojson }}{{ ', \"arguments\": ' }}{{ call['function']['arguments'] | tojson }}{{ '}\\n</tool_call>' }}"
    "{% endfor %}{{ '<|im_end|>\\n' }}"
    "{% else %}{{ '<|im_start|>' + message['role'] + '\\n' + (message['content'] or '') + '<|im_end|>\\n' }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
    "{% endif %}"
)


def _dump(obj, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def write_configs(out, cfg, tok):
    bos, eos, im_end = tok.special[BOS], tok.special[EOS], tok.special[IM_END]
    _dump({
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "vocab_size": cfg.vocab_size,
        "hidden_size": cfg.hidden_size,
        "intermediate_size": cfg.intermediate_size,
        "num_hidden_layers": cfg.num_hidden_layers,
        "num_attention_heads": cfg.num_attention_heads,
        "num_key_value_heads": cfg.num_key_value_heads,
        "head_dim": cfg.head_dim,
        "hidden_act": "silu",
        "max_position_embeddings": cfg.max_position_embeddings,
        "rms_norm_eps": cfg.rms_norm_eps,
        "rope_theta": cfg.rope_theta,
        "rope_scaling": None,
        "attention_bias": False,
        "attention_dropout": 0.0,
        "mlp_bias": False,
        "initializer_range": cfg.initializer_range,
        "pretraining_tp": 1,
        "use_cache": True,
        "tie_word_embeddings": cfg.tie_word_embeddings,
        "bos_token_id": bos,
        "eos_token_id": [eos, im_end],
        "pad_token_id": eos,
        "torch_dtype": "float32",
        "transformers_version": "4.46.0",
    }, f"{out}/config.json")
    _dump({
        "bos_token_id": bos,
        "eos_token_id": [eos, im_end],
        "pad_token_id": eos,
        "do_sample": False,
        "max_length": cfg.max_position_embeddings,
        "transformers_version": "4.46.0",
    }, f"{out}/generation_config.json")
    tok.save(f"{out}/tokenizer.json")
    _dump({
        "add_bos_token": False,
        "add_eos_token": False,
        "added_tokens_decoder": {
            str(i): {"content": s, "lstrip": False, "normalized": False, "rstrip": False,
                     "single_word": False, "special": True}
            for s, i in sorted(tok.special.items(), key=lambda kv: kv[1])
        },
        "additional_special_tokens": [IM_START, IM_END],
        "bos_token": BOS,
        "eos_token": EOS,
        "pad_token": EOS,
        "unk_token": None,
        "chat_template": CHAT_TEMPLATE,
        "clean_up_tokenization_spaces": False,
        "model_max_length": cfg.max_position_embeddings,
        "tokenizer_class": "PreTrainedTokenizerFast",
    }, f"{out}/tokenizer_config.json")


def hf_state_dict(model):
    """Parameters under Hugging Face Llama names (tied lm_head left out)."""
    sd = {k: v.detach().contiguous().float() for k, v in model.state_dict().items()
          if k != "inv_freq"}
    if model.config.tie_word_embeddings:
        sd.pop("lm_head.weight", None)
    return sd


def write_safetensors(tensors, path, metadata=None):
    """Minimal safetensors writer: u64-LE header length, JSON header, raw data."""
    header = {"__metadata__": metadata or {"format": "pt"}}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name]
        assert t.dtype == torch.float32
        data = t.numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * (-len(hb) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    import numpy as np
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", None)
    out = {}
    for name, h in header.items():
        a, b = h["data_offsets"]
        assert h["dtype"] == "F32"
        out[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype="<f4").copy().reshape(h["shape"]))
    return out, meta


def onnx_names(cfg):
    past_in, present_out = [], []
    for i in range(cfg.num_hidden_layers):
        past_in += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        present_out += [f"present.{i}.key", f"present.{i}.value"]
    return past_in, present_out


def export_onnx(model, path, opset=17):
    cfg = model.config
    past_in, present_out = onnx_names(cfg)
    b, s = 2, 3
    ids = torch.randint(0, cfg.vocab_size, (b, s), generator=torch.Generator().manual_seed(0))
    mask = torch.ones(b, s, dtype=torch.int64)
    pos = torch.arange(s, dtype=torch.int64).unsqueeze(0).expand(b, s).contiguous()
    past = [torch.zeros(b, cfg.num_key_value_heads, 0, cfg.head_dim) for _ in past_in]
    dyn = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    for n in past_in:
        dyn[n] = {0: "batch_size", 2: "past_sequence_length"}
    for n in present_out:
        dyn[n] = {0: "batch_size", 2: "total_sequence_length"}
    model.eval()
    with torch.no_grad():
        torch.onnx.export(
            model, (ids, mask, pos, *past), path,
            input_names=["input_ids", "attention_mask", "position_ids", *past_in],
            output_names=["logits", *present_out],
            dynamic_axes=dyn, opset_version=opset, do_constant_folding=True,
        )


def untie_constant_folded_head(path, embed):
    """Constant folding turns the tied head ``embed_tokens.weight.T`` into a
    second copy of the embedding. Replace that copy with a Transpose node of
    the shared initializer so the weights are stored once."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper

    m = onnx.load(path)
    g = m.graph
    w = embed.detach().numpy()
    names = {i.name for i in g.initializer}
    src = "model.embed_tokens.weight"
    assert src in names, "embedding initializer not found"
    replaced = 0
    for init in list(g.initializer):
        if init.name != src and list(init.dims) == [w.shape[1], w.shape[0]]:
            if np.array_equal(numpy_helper.to_array(init), w.T):
                g.initializer.remove(init)
                g.node.insert(0, helper.make_node("Transpose", [src], [init.name], perm=[1, 0],
                                                  name="/lm_head/Transpose"))
                replaced += 1
    onnx.save(m, path)
    return replaced
