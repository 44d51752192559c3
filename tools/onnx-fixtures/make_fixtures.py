#!/usr/bin/python3
"""Derive the ONNX backend's test fixtures from the tiny-random default model.

    /usr/bin/python3 tools/onnx-fixtures/make_fixtures.py \
        default-model/src/main/resources/dev/modelhost/defaultmodel/tiny-random \
        backend-onnx/src/test/resources/fixtures

Needs Debian's python3-onnx and python3-numpy (and python3-torch for decoder-types/). The fixtures
made from the source model compute what it computes, up to float16 or 4-bit rounding; only the
graph's interface changes:

  genai-int32/          ONNX Runtime GenAI layout: genai_config.json naming decoder.onnx, renamed
                        KV inputs/outputs, int32 input_ids, attention_mask and position_ids.
  genai-combined/       GenAI layout with GPT-2 style combined KV tensors past_%d / present_%d of
                        shape [2, batch, kv_heads, seq, head_size].
  optimum-fp16-external/ Optimum layout with float16 KV cache and logits, weights in model.onnx.data.
  optimum-no-positions/ Optimum layout without the position_ids input (positions from the mask).
  onnx-community/       The layout transformers.js models use: config, generation config and tokenizer
                        at the root, onnx/model.onnx with quantized siblings: model_q4.onnx (every
                        MatMul with a weight initializer as 4-bit MatMulNBits, ONNX Runtime's contrib
                        op) and model_fp16.onnx (float16 KV cache and logits, weights in
                        model_fp16.onnx_data).
  decoder-types/TYPE/   For each decoder type ONNX Runtime GenAI's model builder writes (gpt2, llama,
                        mistral, phi, phi3, qwen2, gemma), a tiny random-weight decoder with the
                        builder's interface and genai_config.json (see decoder_types.py; needs
                        Debian's python3-torch); phi3-int4/ is phi3 as the builder's CPU int4 output
                        (MatMulNBits, weights in model.onnx.data).

After a change to onnx-community/, record transformers.js's logits again with
transformersjs_reference.mjs (see its header).
"""
import json
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

FLOAT16 = TensorProto.FLOAT16


def load(src):
    model = onnx.load(os.path.join(src, "model.onnx"))
    with open(os.path.join(src, "config.json")) as f:
        config = json.load(f)
    return model, config


def replace_uses(graph, old, new):
    for node in graph.node:
        for i, name in enumerate(node.input):
            if name == old:
                node.input[i] = new


def replace_producer(graph, old, new):
    for node in graph.node:
        for i, name in enumerate(node.output):
            if name == old:
                node.output[i] = new
    replace_uses(graph, old, new)


def graph_input(graph, name):
    return next(v for v in graph.input if v.name == name)


def graph_output(graph, name):
    return next(v for v in graph.output if v.name == name)


def rename_input(graph, old, new):
    graph_input(graph, old).name = new
    replace_uses(graph, old, new)


def rename_output(graph, old, new):
    replace_producer(graph, old, new)
    graph_output(graph, old).name = new


def cast_input(graph, name, to_type, inner_type):
    """The graph input `name` now arrives as `to_type`; a Cast turns it back into `inner_type`."""
    inner = name + "_cast"
    replace_uses(graph, name, inner)
    graph_input(graph, name).type.tensor_type.elem_type = to_type
    graph.node.insert(0, helper.make_node("Cast", [name], [inner], to=inner_type, name=inner))


def cast_output(graph, name, to_type):
    """The graph output `name` now leaves as `to_type`."""
    inner = name + "_uncast"
    replace_producer(graph, name, inner)
    graph.node.append(helper.make_node("Cast", [inner], [name], to=to_type, name=name + "_cast"))
    graph_output(graph, name).type.tensor_type.elem_type = to_type


def kv_names(layers):
    return [(f"past_key_values.{i}.key", f"past_key_values.{i}.value", f"present.{i}.key", f"present.{i}.value")
            for i in range(layers)]


def genai_config(config, filename, inputs, outputs):
    return {
        "model": {
            "bos_token_id": config["bos_token_id"],
            "context_length": config["max_position_embeddings"],
            "decoder": {
                "session_options": {"log_id": "onnxruntime-genai", "provider_options": []},
                "filename": filename,
                "head_size": config["head_dim"],
                "hidden_size": config["hidden_size"],
                "inputs": inputs,
                "outputs": outputs,
                "num_attention_heads": config["num_attention_heads"],
                "num_hidden_layers": config["num_hidden_layers"],
                "num_key_value_heads": config["num_key_value_heads"],
            },
            "eos_token_id": config["eos_token_id"],
            "pad_token_id": config["pad_token_id"],
            "type": config["model_type"],
            "vocab_size": config["vocab_size"],
        },
        "search": {"do_sample": False, "max_length": config["max_position_embeddings"], "num_beams": 1},
    }


def save(model, out, name, external=False):
    onnx.checker.check_model(model)
    path = os.path.join(out, name)
    if external:
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=name + ".data", size_threshold=0)
    else:
        onnx.save_model(model, path)


def write_json(obj, path):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


def genai_int32(src, out):
    model, config = load(src)
    g = model.graph
    for name in ("input_ids", "attention_mask", "position_ids"):
        cast_input(g, name, TensorProto.INT32, TensorProto.INT64)
    for i, (pk, pv, k, v) in enumerate(kv_names(config["num_hidden_layers"])):
        rename_input(g, pk, f"past_key_{i}")
        rename_input(g, pv, f"past_value_{i}")
        rename_output(g, k, f"present_key_{i}")
        rename_output(g, v, f"present_value_{i}")
    save(model, out, "decoder.onnx")
    write_json(genai_config(config, "decoder.onnx",
                            {"input_ids": "input_ids", "attention_mask": "attention_mask",
                             "position_ids": "position_ids",
                             "past_key_names": "past_key_%d", "past_value_names": "past_value_%d"},
                            {"logits": "logits",
                             "present_key_names": "present_key_%d", "present_value_names": "present_value_%d"}),
               os.path.join(out, "genai_config.json"))


def genai_combined(src, out):
    model, config = load(src)
    g = model.graph
    zero = helper.make_tensor("kv_index_0", TensorProto.INT64, [], [0])
    one = helper.make_tensor("kv_index_1", TensorProto.INT64, [], [1])
    axis = helper.make_tensor("kv_axis_0", TensorProto.INT64, [1], [0])
    g.initializer.extend([zero, one, axis])
    head_size, kv_heads = config["head_dim"], config["num_key_value_heads"]
    for i, (pk, pv, k, v) in enumerate(kv_names(config["num_hidden_layers"])):
        past = f"past_{i}"
        for name in (pk, pv):
            g.input.remove(graph_input(g, name))
        g.input.append(helper.make_tensor_value_info(
            past, TensorProto.FLOAT, [2, "batch_size", kv_heads, "past_sequence_length", head_size]))
        g.node.insert(0, helper.make_node("Gather", [past, "kv_index_0"], [pk], axis=0, name=pk + "_gather"))
        g.node.insert(0, helper.make_node("Gather", [past, "kv_index_1"], [pv], axis=0, name=pv + "_gather"))
        for name in (k, v):
            g.output.remove(graph_output(g, name))
            g.node.append(helper.make_node("Unsqueeze", [name, "kv_axis_0"], [name + "_1"], name=name + "_unsqueeze"))
        present = f"present_{i}"
        g.node.append(helper.make_node("Concat", [k + "_1", v + "_1"], [present], axis=0, name=present + "_concat"))
        g.output.append(helper.make_tensor_value_info(
            present, TensorProto.FLOAT, [2, "batch_size", kv_heads, "total_sequence_length", head_size]))
    save(model, out, "model.onnx")
    write_json(genai_config(config, "model.onnx",
                            {"input_ids": "input_ids", "attention_mask": "attention_mask",
                             "position_ids": "position_ids", "past_names": "past_%d"},
                            {"logits": "logits", "present_names": "present_%d"}),
               os.path.join(out, "genai_config.json"))


def copy_hf_configs(src, out):
    for name in ("config.json", "generation_config.json"):
        shutil.copy(os.path.join(src, name), os.path.join(out, name))


def optimum_fp16_external(src, out):
    model, config = load(src)
    g = model.graph
    for pk, pv, k, v in kv_names(config["num_hidden_layers"]):
        cast_input(g, pk, FLOAT16, TensorProto.FLOAT)
        cast_input(g, pv, FLOAT16, TensorProto.FLOAT)
        cast_output(g, k, FLOAT16)
        cast_output(g, v, FLOAT16)
    cast_output(g, "logits", FLOAT16)
    save(model, out, "model.onnx", external=True)
    copy_hf_configs(src, out)


def optimum_no_positions(src, out):
    """position_ids computed inside the graph as cumsum(attention_mask) - 1 over the new tokens."""
    model, _ = load(src)
    g = model.graph
    g.input.remove(graph_input(g, "position_ids"))
    g.initializer.extend([
        helper.make_tensor("pos_axis_1", TensorProto.INT64, [], [1]),
        helper.make_tensor("pos_one", TensorProto.INT64, [], [1]),
        helper.make_tensor("pos_shape_index", TensorProto.INT64, [1], [1]),
    ])
    nodes = [
        helper.make_node("CumSum", ["attention_mask", "pos_axis_1"], ["pos_cumsum"], name="pos_cumsum"),
        helper.make_node("Sub", ["pos_cumsum", "pos_one"], ["pos_all"], name="pos_all"),
        helper.make_node("Shape", ["input_ids"], ["pos_ids_shape"], name="pos_ids_shape"),
        helper.make_node("Gather", ["pos_ids_shape", "pos_shape_index"], ["pos_new"], axis=0, name="pos_new"),
        helper.make_node("Neg", ["pos_new"], ["pos_from"], name="pos_from"),
        helper.make_node("Shape", ["attention_mask"], ["pos_mask_shape"], name="pos_mask_shape"),
        helper.make_node("Gather", ["pos_mask_shape", "pos_shape_index"], ["pos_end"], axis=0, name="pos_end"),
        helper.make_node("Slice", ["pos_all", "pos_from", "pos_end", "pos_shape_index"], ["position_ids"],
                         name="position_ids"),
    ]
    for node in reversed(nodes):
        g.node.insert(0, node)
    save(model, out, "model.onnx")
    copy_hf_configs(src, out)


def quantize_matmuls_4bit(model, block_size=16, accuracy_level=0):
    """Every MatMul whose weight is a 2-D initializer becomes MatMulNBits (4 bits, symmetric: the
    default zero point 8), per ONNX Runtime's contrib-op spec: B is uint8 [N, K / block, block / 2]
    with codes packed low nibble first along K, scales are float [N * K / block]."""
    g = model.graph
    weights = {t.name: t for t in g.initializer}
    uses = {}
    for node in g.node:
        for name in node.input:
            uses[name] = uses.get(name, 0) + 1
    for index, node in enumerate(list(g.node)):
        weight = weights.get(node.input[1]) if node.op_type == "MatMul" else None
        if weight is None or len(weight.dims) != 2 or weight.dims[0] % block_size:
            continue
        w = numpy_helper.to_array(weight).astype(np.float32)
        k, n = w.shape
        blocks = w.T.reshape(n, k // block_size, block_size)
        scales = np.abs(blocks).max(axis=2) / 7.0
        scales[scales == 0] = 1.0
        codes = np.clip(np.round(blocks / scales[..., None]) + 8, 0, 15).astype(np.uint8)
        packed = (codes[..., 0::2] | (codes[..., 1::2] << 4)).astype(np.uint8)
        prefix = node.name or node.output[0]
        g.initializer.extend([numpy_helper.from_array(packed, prefix + "_q4"),
                              numpy_helper.from_array(scales.reshape(-1).astype(np.float32), prefix + "_scales")])
        position = list(g.node).index(node)
        g.node.remove(node)
        g.node.insert(position, helper.make_node(
            "MatMulNBits", [node.input[0], prefix + "_q4", prefix + "_scales"], list(node.output), name=prefix,
            domain="com.microsoft", K=k, N=n, bits=4, block_size=block_size,
            **({"accuracy_level": accuracy_level} if accuracy_level else {})))
        uses[weight.name] -= 1
        if uses[weight.name] == 0:
            g.initializer.remove(weight)
    model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model


def onnx_community(src, out):
    for name in ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(src, name), os.path.join(out, name))
    graphs = os.path.join(out, "onnx")
    os.makedirs(graphs)
    shutil.copy(os.path.join(src, "model.onnx"), os.path.join(graphs, "model.onnx"))
    model, _ = load(src)
    quantized = quantize_matmuls_4bit(model)
    onnx.save_model(quantized, os.path.join(graphs, "model_q4.onnx"))
    model, config = load(src)
    g = model.graph
    for pk, pv, k, v in kv_names(config["num_hidden_layers"]):
        cast_input(g, pk, FLOAT16, TensorProto.FLOAT)
        cast_input(g, pv, FLOAT16, TensorProto.FLOAT)
        cast_output(g, k, FLOAT16)
        cast_output(g, v, FLOAT16)
    cast_output(g, "logits", FLOAT16)
    onnx.checker.check_model(model)
    onnx.save_model(model, os.path.join(graphs, "model_fp16.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="model_fp16.onnx_data", size_threshold=0)


def decoder_types(out):
    import decoder_types as types  # torch is needed only here
    for model_type in types.TYPES:
        target = os.path.join(out, model_type)
        os.makedirs(target)
        types.make(model_type, target)
    # The builder's CPU int4 output: MatMulNBits in blocks of 32 with int8 compute (accuracy level 4),
    # weights in model.onnx.data.
    target = os.path.join(out, "phi3-int4")
    os.makedirs(target)
    model = quantize_matmuls_4bit(onnx.load(os.path.join(out, "phi3", "model.onnx")), block_size=32, accuracy_level=4)
    onnx.save_model(model, os.path.join(target, "model.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="model.onnx.data", size_threshold=0)
    shutil.copy(os.path.join(out, "phi3", "genai_config.json"), os.path.join(target, "genai_config.json"))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    for name, make in (("genai-int32", genai_int32), ("genai-combined", genai_combined),
                       ("optimum-fp16-external", optimum_fp16_external),
                       ("optimum-no-positions", optimum_no_positions), ("onnx-community", onnx_community),
                       ("decoder-types", lambda _, target: decoder_types(target))):
        target = os.path.join(out, name)
        shutil.rmtree(target, ignore_errors=True)
        os.makedirs(target)
        make(src, target)
        for folder, _, files in sorted(os.walk(target)):
            if files:
                size = sum(os.path.getsize(os.path.join(folder, f)) for f in files)
                print(f"{os.path.relpath(folder, out)}: {sorted(files)} {size:,} bytes")


if __name__ == "__main__":
    main()
