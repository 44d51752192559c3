#!/usr/bin/env python3
"""Build Modelhost's small default LLM ("fortune-llama") or its tiny random twin.

    python3 make_model.py OUT_DIR                 # train the default model
    python3 make_model.py --tiny-random OUT_DIR   # random weights, no training
    python3 make_model.py --bench-random OUT_DIR  # 100M parameters, random, with quantized variants

OUT_DIR receives config.json, generation_config.json, tokenizer.json,
tokenizer_config.json, model.safetensors and model.onnx (and, with --variants,
model_int8.onnx and model_q4.onnx). See README.md.
"""
import argparse
import math
import os
import random
import sys
import time

# OpenMP threads that spin while waiting stall badly when the cores are shared with other
# work; sleeping waits keep training moving. Must be set before torch loads OpenMP.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bpe  # noqa: E402
import corpus  # noqa: E402
import export  # noqa: E402
import quantize  # noqa: E402
from corpus import BOS, EOS, IM_END, IM_START  # noqa: E402
from llama import LlamaConfig, LlamaForCausalLM, empty_past  # noqa: E402

SEED = 1234
VOCAB_SIZE = 2048
DEFAULT = LlamaConfig(vocab_size=VOCAB_SIZE, hidden_size=256, intermediate_size=688,
                      num_hidden_layers=4, num_attention_heads=8, num_key_value_heads=2,
                      head_dim=32, max_position_embeddings=512, rope_theta=10000.0)
TINY = LlamaConfig(vocab_size=VOCAB_SIZE, hidden_size=64, intermediate_size=176,
                   num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                   head_dim=16, max_position_embeddings=512, rope_theta=10000.0)
# The benchmark model: Llama-shaped, 98M parameters, never trained (speed does not depend on it).
BENCH = LlamaConfig(vocab_size=VOCAB_SIZE, hidden_size=768, intermediate_size=2816,
                    num_hidden_layers=12, num_attention_heads=12, num_key_value_heads=4,
                    head_dim=64, max_position_embeddings=1024, rope_theta=10000.0)

SEQ_LEN = 128
BATCH = 16
STEPS = 1200
PEAK_LR = 2e-3
MIN_LR = 2e-4
WARMUP = 60
WEIGHT_DECAY = 0.1

TRANSCRIPT_PROMPTS = ["Tell me a fortune.", "Say something wise.", "What is your favorite food?"]


def log(*a):
    print(*a, flush=True)


# ----------------------------------------------------------------------------- tokenizer

def build_tokenizer(fortunes):
    texts = list(fortunes)
    # the chat scaffolding, so role names and prompts get their own merges
    texts += [corpus.render_chat([{"role": "system", "content": s}]) for s in corpus.SYSTEM_PROMPTS] * 50
    texts += [corpus.render_chat([{"role": "user", "content": p}, {"role": "assistant", "content": ""}])
              for p in corpus.PROMPTS] * 50
    n_merges = VOCAB_SIZE - 256 - len(corpus.SPECIAL_TOKENS)
    merges = bpe.train_bpe(texts, n_merges)
    assert len(merges) == n_merges, len(merges)
    return bpe.ByteLevelBPE.build(merges, corpus.SPECIAL_TOKENS)


# ----------------------------------------------------------------------------- data

def segments_for_epoch(tok, fortunes, epoch):
    """Token segments (each <= SEQ_LEN) for one epoch, in a seeded order."""
    rng = random.Random(SEED * 1000 + epoch)
    segs = []
    for doc in corpus.make_documents(fortunes, rng):
        ids = tok.encode(doc)
        if len(ids) <= SEQ_LEN:
            segs.append(ids)
        elif doc.startswith(IM_START):
            # too long for a whole conversation: keep the fortune as plain text
            body = doc[doc.rindex("assistant\n") + len("assistant\n"):-len(IM_END + "\n")]
            ids = tok.encode(BOS + body + EOS)
            segs += [ids[i:i + SEQ_LEN] for i in range(0, len(ids), SEQ_LEN)]
        else:
            segs += [ids[i:i + SEQ_LEN] for i in range(0, len(ids), SEQ_LEN)]
    return [s for s in segs if len(s) >= 2]


def pack_rows(segs, pad_id):
    """First-fit packing of segments into rows of SEQ_LEN tokens. Each segment
    only attends to itself and restarts its positions at 0."""
    rows, open_rows = [], []
    for s in segs:
        for r in open_rows:
            if r["n"] + len(s) <= SEQ_LEN:
                break
        else:
            r = {"n": 0, "segs": []}
            open_rows.append(r)
        r["segs"].append(s)
        r["n"] += len(s)
        if SEQ_LEN - r["n"] < 8 or len(open_rows) > 32:
            done = r if SEQ_LEN - r["n"] < 8 else open_rows[0]
            open_rows.remove(done)
            rows.append(done["segs"])
    rows += [r["segs"] for r in open_rows]

    out = []
    for segs_ in rows:
        ids, labels, pos, seg = [], [], [], []
        for k, s in enumerate(segs_):
            ids += s
            labels += s[1:] + [-100]
            pos += list(range(len(s)))
            seg += [k] * len(s)
        pad = SEQ_LEN - len(ids)
        ids += [pad_id] * pad
        labels += [-100] * pad
        pos += [0] * pad
        seg += [-1 - i for i in range(pad)]  # padding attends only to itself
        out.append((ids, labels, pos, seg))
    return out


def batches(tok, fortunes, pad_id):
    epoch = 0
    while True:
        rows = pack_rows(segments_for_epoch(tok, fortunes, epoch), pad_id)
        random.Random(SEED + epoch).shuffle(rows)
        log(f"epoch {epoch}: {len(rows)} rows of {SEQ_LEN}, "
            f"{sum(sum(1 for l in r[1] if l != -100) for r in rows)} target tokens")
        for i in range(0, len(rows) - BATCH + 1, BATCH):
            yield epoch, [torch.tensor(list(x), dtype=torch.int64) for x in zip(*rows[i:i + BATCH])]
        epoch += 1


def batch_loss(model, ids, labels, pos, seg):
    causal = torch.ones(SEQ_LEN, SEQ_LEN, dtype=torch.bool).tril()
    keep = (seg.unsqueeze(2) == seg.unsqueeze(1)) & causal
    logits = model.train_logits(ids, pos, keep)
    return F.cross_entropy(logits.view(-1, logits.shape[-1]), labels.view(-1), ignore_index=-100)


def lr_at(step, steps):
    if step < WARMUP:
        return PEAK_LR * (step + 1) / WARMUP
    p = (step - WARMUP) / max(1, steps - WARMUP)
    return MIN_LR + 0.5 * (PEAK_LR - MIN_LR) * (1 + math.cos(math.pi * p))


def train(model, tok, fortunes, held_out, steps):
    pad_id = tok.special[EOS]
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=PEAK_LR, betas=(0.9, 0.95), eps=1e-8)
    model.train()
    t0 = time.time()
    window, seen, last = [], 0, None
    data = batches(tok, fortunes, pad_id)
    for step in range(steps):
        epoch, (ids, labels, pos, seg) = next(data)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, steps)
        loss = batch_loss(model, ids, labels, pos, seg)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        window.append(loss.item())
        seen += int((labels != -100).sum())
        if (step + 1) % 50 == 0 or step + 1 == steps:
            el = time.time() - t0
            last = sum(window) / len(window)
            log(f"step {step + 1:5d}/{steps}  epoch {epoch}  loss {last:.4f}  lr {lr_at(step, steps):.2e}  "
                f"{el:6.1f}s  {seen / el:,.0f} target tok/s")
            window = []
    train_time = time.time() - t0
    model.eval()
    val = evaluate(model, tok, held_out)
    log(f"training: {steps} steps in {train_time:.1f}s; final train loss {last:.4f}; "
        f"held-out loss {val:.4f} (ppl {math.exp(val):.1f})")
    return {"train_time_s": train_time, "final_loss": last, "held_out_loss": val}


@torch.no_grad()
def evaluate(model, tok, texts):
    rows = pack_rows([tok.encode(BOS + t + EOS)[:SEQ_LEN] for t in texts], tok.special[EOS])
    tot, n = 0.0, 0
    for i in range(0, len(rows), BATCH):
        ids, labels, pos, seg = [torch.tensor(list(x)) for x in zip(*rows[i:i + BATCH])]
        k = int((labels != -100).sum())
        tot += batch_loss(model, ids, labels, pos, seg).item() * k
        n += k
    return tot / n


# ----------------------------------------------------------------------------- inference helpers

def step(model, ids, mask, past):
    """One decoder-with-past call, positions derived from the mask like a server would."""
    pos_all = (mask.cumsum(-1) - 1).clamp(min=0)
    pos = pos_all[:, -ids.shape[1]:]
    out = model(ids, mask, pos, *past)
    return out[0], list(out[1:])


@torch.no_grad()
def greedy(model, prompt_ids, eos_ids, max_new=64):
    past = empty_past(model.config, 1)
    ids = torch.tensor([prompt_ids])
    mask = torch.ones_like(ids)
    out = []
    for _ in range(max_new):
        logits, past = step(model, ids, mask, past)
        nxt = int(logits[0, -1].argmax())
        out.append(nxt)
        if nxt in eos_ids:
            break
        ids = torch.tensor([[nxt]])
        mask = torch.cat([mask, torch.ones(1, 1, dtype=mask.dtype)], dim=1)
    return out


# ----------------------------------------------------------------------------- checks

@torch.no_grad()
def check_kv_equals_full(model, seq):
    ids = torch.tensor([seq])
    full, _ = step(model, ids, torch.ones_like(ids), empty_past(model.config, 1))
    n0 = len(seq) // 2
    logits, past = step(model, ids[:, :n0], torch.ones(1, n0, dtype=torch.int64), empty_past(model.config, 1))
    got = [logits]
    for t in range(n0, len(seq)):
        logits, past = step(model, ids[:, t:t + 1], torch.ones(1, t + 1, dtype=torch.int64), past)
        got.append(logits)
    return float((torch.cat(got, dim=1) - full).abs().max())


@torch.no_grad()
def check_left_padding(model, seqs, pad_id, decode_steps=6):
    """Greedy-decode a left-padded batch with the KV cache and compare every row
    with the same row run alone; returns max |delta logits|."""
    n = max(len(s) for s in seqs)
    ids = torch.tensor([[pad_id] * (n - len(s)) + s for s in seqs])
    mask = torch.tensor([[0] * (n - len(s)) + [1] * len(s) for s in seqs])
    logits, past = step(model, ids, mask, empty_past(model.config, len(seqs)))
    batch_steps = [logits[:, -1]]
    for _ in range(decode_steps):
        nxt = logits[:, -1].argmax(-1, keepdim=True)
        mask = torch.cat([mask, torch.ones(len(seqs), 1, dtype=mask.dtype)], dim=1)
        logits, past = step(model, nxt, mask, past)
        batch_steps.append(logits[:, -1])
    worst = 0.0
    for r, s in enumerate(seqs):
        ids1 = torch.tensor([s])
        l1, p1 = step(model, ids1, torch.ones_like(ids1), empty_past(model.config, 1))
        # the valid (unpadded) positions of the prefill must match too
        lb, _ = step(model, torch.tensor([[pad_id] * (n - len(s)) + s]),
                     torch.tensor([[0] * (n - len(s)) + [1] * len(s)]), empty_past(model.config, 1))
        worst = max(worst, float((lb[0, n - len(s):] - l1[0]).abs().max()))
        m1 = torch.ones_like(ids1)
        for k in range(decode_steps + 1):
            worst = max(worst, float((batch_steps[k][r] - l1[0, -1]).abs().max()))
            if k == decode_steps:
                break
            nxt = l1[:, -1].argmax(-1, keepdim=True)
            m1 = torch.cat([m1, torch.ones(1, 1, dtype=m1.dtype)], dim=1)
            l1, p1 = step(model, nxt, m1, p1)
    return worst


def check_onnx(path, cfg):
    import onnx
    m = onnx.load(path)
    onnx.checker.check_model(m)
    past_in, present_out = export.onnx_names(cfg)
    ins = [i.name for i in m.graph.input]
    outs = [o.name for o in m.graph.output]
    assert ins == ["input_ids", "attention_mask", "position_ids", *past_in], ins
    assert outs == ["logits", *present_out], outs

    def shape(v):
        return [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]

    for v in list(m.graph.input[:4]) + list(m.graph.output[:2]):
        log(f"    {v.name:28s} {onnx.TensorProto.DataType.Name(v.type.tensor_type.elem_type):6s} {shape(v)}")
    return m.opset_import[0].version, len(m.graph.initializer)


def hf_names_ok(sd, cfg):
    want = {"model.embed_tokens.weight", "model.norm.weight"}
    for i in range(cfg.num_hidden_layers):
        p = f"model.layers.{i}."
        want |= {p + f"self_attn.{x}_proj.weight" for x in "qkvo"}
        want |= {p + f"mlp.{x}_proj.weight" for x in ("gate", "up", "down")}
        want |= {p + "input_layernorm.weight", p + "post_attention_layernorm.weight"}
    if not cfg.tie_word_embeddings:
        want.add("lm_head.weight")
    return set(sd) == want


# ----------------------------------------------------------------------------- main

def fast_blas_loaded():
    torch.ones(2, 2) @ torch.ones(2, 2)  # make sure BLAS is mapped
    try:
        with open("/proc/self/maps") as f:
            maps = f.read()
    except OSError:
        return True
    return any(x in maps for x in ("openblas", "libmkl", "blis"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir", help="directory to write the model files into")
    ap.add_argument("--tiny-random", action="store_true",
                    help="hidden 64, 2 layers, seeded random weights, no training")
    ap.add_argument("--bench-random", action="store_true",
                    help="the 98M-parameter benchmark model (hidden 768, 12 layers), seeded random weights, "
                         "no training; implies --variants")
    ap.add_argument("--variants", action="store_true",
                    help="also write model_int8.onnx and model_q4.onnx (see quantize.py)")
    ap.add_argument("--transcript", default=None,
                    help="where to write the greedy transcript (default: transcript.txt next to "
                         "this script for the trained model, none for --tiny-random)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=STEPS,
                    help=f"training steps (default {STEPS}; fewer only for smoke tests)")
    args = ap.parse_args()

    t_start = time.time()
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    random.seed(SEED)
    torch.use_deterministic_algorithms(True)
    if not fast_blas_loaded():
        log("note: no optimised BLAS is loaded (Debian's reference libblas); training will be "
            "~20x slower. Install libopenblas0-openmp.")
    os.makedirs(args.out_dir, exist_ok=True)

    fortunes = corpus.load_fortunes()
    held_out = fortunes[::100]
    train_set = [f for i, f in enumerate(fortunes) if i % 100]
    log(f"corpus: {len(fortunes)} fortunes, {sum(map(len, fortunes)):,} characters "
        f"({len(held_out)} held out)")
    t = time.time()
    tok = build_tokenizer(train_set)
    log(f"tokenizer: {len(tok.vocab)} tokens ({len(tok.merges)} merges), trained in {time.time() - t:.1f}s")
    eos_ids = [tok.special[EOS], tok.special[IM_END]]

    random_weights = args.tiny_random or args.bench_random
    cfg = TINY if args.tiny_random else BENCH if args.bench_random else DEFAULT
    model = LlamaForCausalLM(cfg)
    model.init_weights(torch.Generator().manual_seed(SEED + (1 if args.tiny_random else 2 if args.bench_random else 0)))
    n_params = sum(p.numel() for p in model.parameters())
    log(f"model: {cfg}\n  parameters: {n_params:,}")

    stats = {}
    if not random_weights:
        stats = train(model, tok, train_set, held_out, args.steps)
    model.eval()

    # ---- write
    out = args.out_dir
    export.write_configs(out, cfg, tok)
    sd = export.hf_state_dict(model)
    assert hf_names_ok(sd, cfg)
    export.write_safetensors(sd, f"{out}/model.safetensors")
    onnx_path = f"{out}/model.onnx"
    export.export_onnx(model, onnx_path)
    replaced = export.untie_constant_folded_head(onnx_path, model.model.embed_tokens.weight)
    if args.variants or args.bench_random:
        log("quantized variants:")
        quantize.write_variants(out, log=log)

    # ---- verify
    log("\nverification (PyTorch reference; ONNX Runtime is not packaged for this Python)")
    sd2, meta = export.read_safetensors(f"{out}/model.safetensors")
    re_model = LlamaForCausalLM(cfg)
    missing = re_model.load_state_dict(sd2, strict=False)
    assert not missing.unexpected_keys and set(missing.missing_keys) <= {"lm_head.weight"}
    re_model.eval()
    probe = tok.encode(corpus.render_chat([{"role": "user", "content": "Hello!"}], True))
    with torch.no_grad():
        a = step(model, torch.tensor([probe]), torch.ones(1, len(probe), dtype=torch.int64),
                 empty_past(cfg, 1))[0]
        b = step(re_model, torch.tensor([probe]), torch.ones(1, len(probe), dtype=torch.int64),
                 empty_past(cfg, 1))[0]
    log(f"  safetensors: {len(sd2)} tensors, metadata {meta}, reload max |d logits| = "
        f"{float((a - b).abs().max()):.1e}")
    opset, n_init = check_onnx(onnx_path, cfg)
    log(f"  (a) onnx.checker: OK (opset {opset}, {n_init} initializers, tied head stored once: "
        f"{replaced == 1})")

    conv = tok.encode(corpus.render_chat([{"role": "user", "content": TRANSCRIPT_PROMPTS[0]}], True))
    seq = conv + greedy(model, conv, eos_ids, max_new=24)
    d_kv = check_kv_equals_full(model, seq)
    log(f"  (b) KV-cached step-by-step vs full recomputation, {len(seq)} tokens: max |d logits| = {d_kv:.2e}")
    assert d_kv < 1e-4
    seqs = [tok.encode(corpus.render_chat([{"role": "user", "content": p}], True)) for p in
            ["Hi!", "Tell me something about the weather in the mountains today."]]
    d_pad = check_left_padding(model, seqs, tok.special[EOS])
    log(f"  (c) left-padded batch (lengths {[len(s) for s in seqs]}) vs rows alone, prefill + 6 "
        f"decode steps: max |d logits| = {d_pad:.2e}")
    assert d_pad < 1e-4

    lines = []
    for p in TRANSCRIPT_PROMPTS:
        rendered = corpus.render_chat([{"role": "user", "content": p}], add_generation_prompt=True)
        ids = tok.encode(rendered)
        gen = greedy(model, ids, eos_ids, max_new=64)
        answer = tok.decode(gen, skip_special=True)
        lines += [f"prompt: {p}", f"rendered: {rendered!r}", f"prompt ids: {ids}",
                  f"output ids: {gen}", f"answer: {answer!r}", ""]
    log("  (d) greedy transcript:\n" + "\n".join("      " + ln for ln in lines))

    transcript = args.transcript
    if transcript is None and not random_weights:
        transcript = os.path.join(HERE, "transcript.txt")
    if transcript:
        name = "tiny-random" if args.tiny_random else "bench-random" if args.bench_random else "fortune-llama"
        header = [f"Greedy transcript of {name} "
                  f"(chat template, add_generation_prompt, stop at ids {eos_ids}, at most 64 new tokens).", ""]
        with open(transcript, "w", encoding="utf-8") as f:
            f.write("\n".join(header + lines))

    log("\nfiles:")
    total = 0
    for name in sorted(os.listdir(out)):
        size = os.path.getsize(os.path.join(out, name))
        total += size
        log(f"  {name:24s} {size:>12,d} bytes")
    log(f"  {'total':24s} {total:>12,d} bytes")
    if stats:
        log(f"training {stats['train_time_s']:.0f}s, final loss {stats['final_loss']:.4f}, "
            f"held-out {stats['held_out_loss']:.4f}")
    log(f"done in {time.time() - t_start:.0f}s")


if __name__ == "__main__":
    main()
