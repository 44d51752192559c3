#!/usr/bin/env python3
"""Write weight-quantized variants of an exported ``model.onnx``, without retraining.

    python3 quantize.py MODEL_DIR [--block-size N]

Every ``MatMul`` whose right-hand side is a constant 2-D weight [K, N] becomes ONNX Runtime's
``com.microsoft.MatMulNBits``: the weight is quantized block-wise along K (asymmetric, one float
scale and one zero point per block of ``block_size`` weights; a last partial block is padded
with zeros) and packed as the contrib-op spec describes (B: uint8 [N, ceil(K / block),
block * bits / 8], low bits first; scales: float [N, ceil(K / block)]; zero points: uint8
[N, ceil(ceil(K / block) * bits / 8)], packed like B). MatMuls that read the same input (a
layer's q/k/v projections; its gate and up projections) become one MatMulNBits over their weights
side by side, followed by a Split. The tied output head reads the embedding through a Transpose
node, so it has no constant weight and stays float32, as does the embedding itself.

Writes ``model_int8.onnx`` (bits 8, blocks of 32) and ``model_q4.onnx`` (bits 4, blocks of 128)
beside ``model.onnx``; ``--block-size`` sets both. ``accuracy_level`` 4 lets ONNX Runtime quantize
activations to int8 per block internally, the fast path on x86 and ARM CPUs. The choices were
measured with ONNX Runtime 1.29 on an AVX512-VNNI CPU (BENCHMARKS.md, "Quantized weights"): for
int4, blocks of 128 decode about 13 % faster than blocks of 32 and merging shared-input MatMuls
about 4 % more, at a small cost in agreement with fp32; int8 keeps blocks of 32, where it is
indistinguishable from fp32.
"""
import argparse
import os

import numpy as np

# variant: (file, bits, default block size)
VARIANTS = {"int8": ("model_int8.onnx", 8, 32), "q4": ("model_q4.onnx", 4, 128)}
MS_DOMAIN = "com.microsoft"


def quantize_blocks(weight, bits, block_size):
    """Quantize W [K, N] block-wise along K. Returns (q [N, blocks, block] uint8,
    scales [N, blocks] float32, zero_points [N, blocks] uint8); dequantized = (q - zp) * scale."""
    k, n = weight.shape
    blocks = -(-k // block_size)
    padded = np.zeros((blocks * block_size, n), np.float32)
    padded[:k] = weight  # the spec's last block may be partial: zeros fill it
    w = padded.T.reshape(n, blocks, block_size)
    top = (1 << bits) - 1
    lo = np.minimum(w.min(axis=2), 0.0)
    hi = np.maximum(w.max(axis=2), 0.0)
    scale = (hi - lo) / top
    scale = np.where(scale == 0, np.float32(1.0), scale).astype(np.float32)
    zero = np.clip(np.round(-lo / scale), 0, top).astype(np.uint8)
    q = np.clip(np.round(w / scale[:, :, None]) + zero[:, :, None], 0, top).astype(np.uint8)
    return q, scale, zero


def pack(values, bits):
    """Pack the last axis of uint8 values of ``bits`` width, first value in the low bits."""
    if bits == 8:
        return values
    per_byte = 8 // bits
    pad = (-values.shape[-1]) % per_byte
    if pad:
        values = np.concatenate([values, np.zeros(values.shape[:-1] + (pad,), np.uint8)], axis=-1)
    values = values.reshape(values.shape[:-1] + (-1, per_byte))
    packed = np.zeros(values.shape[:-1], np.uint8)
    for i in range(per_byte):
        packed |= (values[..., i] << (bits * i)).astype(np.uint8)
    return packed


def dequantize(q, scale, zero, k):
    """The weight [K, N] that MatMulNBits computes with (for the error report)."""
    n, blocks, block = q.shape
    w = (q.astype(np.float32) - zero[:, :, None]) * scale[:, :, None]
    return w.reshape(n, blocks * block)[:, :k].T


def constant_weight(node, inits):
    """The constant 2-D right-hand side of a two-input MatMul, or None."""
    if node.op_type != "MatMul" or len(node.input) != 2:
        return None
    weight = inits.get(node.input[1])
    return weight if weight is not None and len(weight.dims) == 2 else None


def quantize_model(src, dst, bits, block_size):
    """Write ``dst``: ``src`` with its constant-weight MatMuls as MatMulNBits. MatMuls that read
    the same input (a layer's q/k/v projections, its gate and up projections) become one
    MatMulNBits over their weights side by side and a Split: fewer, larger products run faster
    and compute the same numbers, since every column is quantized on its own. Returns (number of
    MatMuls replaced, number of MatMulNBits written, worst relative weight error)."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(src)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    uses = {}
    for node in graph.node:
        for name in node.input:
            uses[name] = uses.get(name, 0) + 1
    # Split takes its sizes as an input from opset 13 on; older graphs keep one MatMulNBits each
    mergeable = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx")) >= 13
    readers = {}
    for node in graph.node:
        if constant_weight(node, inits) is not None:
            readers.setdefault(node.input[0] if mergeable else node.output[0], []).append(node)
    replaced, written, worst = 0, 0, 0.0
    nodes = []
    for node in graph.node:
        if constant_weight(node, inits) is None:
            nodes.append(node)
            continue
        group = readers[node.input[0] if mergeable else node.output[0]]
        if node is not group[0]:
            continue  # written with the first MatMul that reads the same input
        weights = [numpy_helper.to_array(constant_weight(n, inits)) for n in group]
        w = np.concatenate(weights, axis=1)
        k, n = w.shape
        q, scale, zero = quantize_blocks(w, bits, block_size)
        restored, start = dequantize(q, scale, zero, k), 0
        for x in weights:  # the error of each original weight, against its own largest value
            worst = max(worst, float(np.abs(restored[:, start:start + x.shape[1]] - x).max() / np.abs(x).max()))
            start += x.shape[1]
        base = node.input[1]
        name = node.name or base
        outputs = list(node.output) if len(group) == 1 else [name + "_merged_output"]
        graph.initializer.extend([
            numpy_helper.from_array(pack(q, bits), base + "_Q" + str(bits)),
            numpy_helper.from_array(scale, base + "_scales"),
            numpy_helper.from_array(pack(zero, bits), base + "_zero_points"),
        ])
        nodes.append(helper.make_node(
            "MatMulNBits", [node.input[0], base + "_Q" + str(bits), base + "_scales", base + "_zero_points"],
            outputs, name=name + "_Q" + str(bits), domain=MS_DOMAIN,
            K=k, N=n, bits=bits, block_size=block_size, accuracy_level=4))
        if len(group) > 1:
            graph.initializer.append(numpy_helper.from_array(
                np.array([x.shape[1] for x in weights], np.int64), name + "_split_sizes"))
            nodes.append(helper.make_node("Split", outputs + [name + "_split_sizes"],
                                          [o for member in group for o in member.output],
                                          axis=-1, name=name + "_split"))
        for member in group:
            uses[member.input[1]] -= 1
            if uses[member.input[1]] == 0:
                graph.initializer.remove(inits[member.input[1]])
        replaced += len(group)
        written += 1
    del graph.node[:]
    graph.node.extend(nodes)
    if not any(o.domain == MS_DOMAIN for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    return replaced, written, worst


def write_variants(model_dir, block_size=None, log=print):
    """Writes model_int8.onnx and model_q4.onnx next to model_dir/model.onnx, with each variant's
    own block size unless ``block_size`` is given."""
    src = os.path.join(model_dir, "model.onnx")
    for variant, (file_name, bits, default_block) in VARIANTS.items():
        block = block_size or default_block
        dst = os.path.join(model_dir, file_name)
        replaced, written, worst = quantize_model(src, dst, bits, block)
        log(f"  {variant:5s} {file_name:18s} {os.path.getsize(dst):>12,d} bytes: {replaced} MatMuls as "
            f"{written} MatMulNBits (bits {bits}, block {block}); worst weight error {worst:.2%} of "
            f"that weight's largest")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir", help="directory holding model.onnx")
    ap.add_argument("--block-size", type=int, default=None,
                    help="weights per quantization block for both variants (default: 32 for int8, 128 for q4)")
    args = ap.parse_args()
    if args.block_size is not None and (args.block_size < 16 or args.block_size & (args.block_size - 1)):
        ap.error("--block-size must be a power of 2, at least 16 (what MatMulNBits accepts)")
    write_variants(args.model_dir, args.block_size)


if __name__ == "__main__":
    main()
