#!/usr/bin/env python3
"""Write the held-out evaluation set of a model as token ids, for measuring quantized variants.

    python3 eval_set.py MODEL_DIR OUT.json [--prompts 32]

The held-out fortunes are the ones ``make_model.py`` keeps out of training (every 100th), encoded
with the model's own ``tokenizer.json`` as ``<|begin_of_text|>fortune<|end_of_text|>`` and cut at
128 tokens, as in the script's validation loss. The prompts are chat prompts (template rendered,
generation prompt added) asking about the first words of held-out fortunes. Output:
``{"texts": [[ids]...], "prompts": [[ids]...]}``.
"""
import argparse
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bpe  # noqa: E402
import corpus  # noqa: E402
from corpus import BOS, EOS  # noqa: E402

SEQ_LEN = 128


def load_tokenizer(model_dir):
    with open(os.path.join(model_dir, "tokenizer.json"), encoding="utf-8") as f:
        merges = [m.split(" ") for m in json.load(f)["model"]["merges"]]
    return bpe.ByteLevelBPE.build(merges, corpus.SPECIAL_TOKENS)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model_dir")
    ap.add_argument("out")
    ap.add_argument("--prompts", type=int, default=32, help="number of chat prompts (default 32)")
    args = ap.parse_args()
    tok = load_tokenizer(args.model_dir)
    held_out = corpus.load_fortunes()[::100]
    texts = [tok.encode(BOS + t + EOS)[:SEQ_LEN] for t in held_out]
    rng = random.Random(4321)
    prompts = [tok.encode(corpus.render_chat([{"role": "user", "content": corpus.first_words(t, rng)}], True))
               for t in held_out[:args.prompts]]
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump({"texts": texts, "prompts": prompts}, f)
    print(f"{len(texts)} held-out texts ({sum(map(len, texts))} tokens), {len(prompts)} prompts -> {args.out}")


if __name__ == "__main__":
    main()
