#!/usr/bin/env python3
"""Write weight-quantized variants of an exported ``model.onnx``, without retraining.

    python3 quantize.py MODEL_DIR [--block-size 32]

Every ``MatMul`` whose right-hand side is a constant 2-D weight [K, N] becomes ONNX Runtime's
``com.microsoft.MatMulNBits``: the weight is quantized block-wise along K (asymmetric, one float
scale and one zero point per block of ``block_size`` weights; a last partial block is padded
with zeros) and packed as the contrib-op spec describes (B: uint8 [N, ceil(K / block),
block * bits / 8], low bits first; scales: float [N, ceil(K / block)]; zero points: uint8
[N, ceil(ceil(K / block) * bits / 8)], packed like B). The tied output head reads the embedding
through a Transpose node, so it has no constant weight and stays float32, as does the embedding
itself. Writes ``model_int8.onnx`` (bits 8) and ``model_q4.onnx`` (bits 4) beside ``model.onnx``;
``accuracy_level`` 4 lets ONNX Runtime quantize activations to int8 per block internally, the
fast path on x86 and ARM CPUs.
"""
import argparse
import os

import numpy as np

VARIANTS = {"int8": ("model_int8.onnx", 8), "q4": ("model_q4.onnx", 4)}
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


def quantize_model(src, dst, bits, block_size):
    """Write ``dst``: ``src`` with its constant-weight MatMuls as MatMulNBits. Returns
    (number of MatMuls replaced, worst relative weight error)."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(src)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    uses = {}
    for node in graph.node:
        for name in node.input:
            uses[name] = uses.get(name, 0) + 1
    replaced, worst = 0, 0.0
    nodes = []
    for node in graph.node:
        weight = inits.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if weight is None or len(weight.dims) != 2:
            nodes.append(node)
            continue
        w = numpy_helper.to_array(weight)
        k, n = w.shape
        q, scale, zero = quantize_blocks(w, bits, block_size)
        worst = max(worst, float(np.abs(dequantize(q, scale, zero, k) - w).max() / np.abs(w).max()))
        base = node.input[1]
        graph.initializer.extend([
            numpy_helper.from_array(pack(q, bits), base + "_Q" + str(bits)),
            numpy_helper.from_array(scale, base + "_scales"),
            numpy_helper.from_array(pack(zero, bits), base + "_zero_points"),
        ])
        nodes.append(helper.make_node(
            "MatMulNBits", [node.input[0], base + "_Q" + str(bits), base + "_scales", base + "_zero_points"],
            list(node.output), name=(node.name or base) + "_Q" + str(bits), domain=MS_DOMAIN,
            K=k, N=n, bits=bits, block_size=block_size, accuracy_level=4))
        uses[base] -= 1
        if uses[base] == 0:
            graph.initializer.remove(weight)
        replaced += 1
    del graph.node[:]
    graph.node.extend(nodes)
    if not any(o.domain == MS_DOMAIN for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid(MS_DOMAIN, 1))
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    return replaced, worst


def write_variants(model_dir, block_size=32, log=print):
    """Writes model_int8.onnx and model_q4.onnx next to model_dir/model.onnx."""
    src = os.path.join(model_dir, "model.onnx")
    for variant, (file_name, bits) in VARIANTS.items():
        dst = os.path.join(model_dir, file_name)
        replaced, worst = quantize_model(src, dst, bits, block_size)
        log(f"  {variant:5s} {file_name:18s} {os.path.getsize(dst):>12,d} bytes: {replaced} MatMuls as "
            f"MatMulNBits (bits {bits}, block {block_size}); worst weight error {worst:.2%} of the "
            f"tensor's largest weight")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir", help="directory holding model.onnx")
    ap.add_argument("--block-size", type=int, default=32, help="weights per quantization block (default 32)")
    args = ap.parse_args()
    write_variants(args.model_dir, args.block_size)


if __name__ == "__main__":
    main()
