#!/usr/bin/python3
"""Derive the ONNX backend's test fixtures from the tiny-random default model.

    /usr/bin/python3 tools/onnx-fixtures/make_fixtures.py \
        default-model/src/main/resources/dev/modelhost/defaultmodel/tiny-random \
        backend-onnx/src/test/resources/fixtures

Needs Debian's python3-onnx and python3-numpy. Every fixture computes exactly what the source
model computes; only the graph's interface changes:

  genai-int32/          ONNX Runtime GenAI layout: genai_config.json naming decoder.onnx, renamed
                        KV inputs/outputs, int32 input_ids, attention_mask and position_ids.
  genai-combined/       GenAI layout with GPT-2 style combined KV tensors past_%d / present_%d of
                        shape [2, batch, kv_heads, seq, head_size].
  optimum-fp16-external/ Optimum layout with float16 KV cache and logits, weights in model.onnx.data.
  optimum-no-positions/ Optimum layout without the position_ids input (positions from the mask).
"""
import json
import os
import shutil
import sys

import onnx
from onnx import TensorProto, helper

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


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, out = sys.argv[1], sys.argv[2]
    for name, make in (("genai-int32", genai_int32), ("genai-combined", genai_combined),
                       ("optimum-fp16-external", optimum_fp16_external),
                       ("optimum-no-positions", optimum_no_positions)):
        target = os.path.join(out, name)
        shutil.rmtree(target, ignore_errors=True)
        os.makedirs(target)
        make(src, target)
        size = sum(os.path.getsize(os.path.join(target, f)) for f in os.listdir(target))
        print(f"{name}: {sorted(os.listdir(target))} {size:,} bytes")


if __name__ == "__main__":
    main()
