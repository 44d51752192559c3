"""Training text from the Debian ``fortunes`` package, turned into chat-formatted
conversations and plain-text documents."""
import os
import random
import re

FORTUNE_DIR = "/usr/share/games/fortunes"
SKIP = {"ascii-art", "translate-me"}  # pictures and non-English samples

BOS, EOS, IM_START, IM_END = "<|begin_of_text|>", "<|end_of_text|>", "<|im_start|>", "<|im_end|>"
SPECIAL_TOKENS = [BOS, EOS, IM_START, IM_END]

PROMPTS = [
    "Tell me a fortune.",
    "Say something wise.",
    "Tell me something.",
    "Give me a quote.",
    "Share some wisdom.",
    "Tell me a joke.",
    "Say something funny.",
    "What do you think?",
    "Any advice for me?",
    "Hello!",
    "Hi, who are you?",
    "What is the meaning of life?",
    "Tell me about computers.",
    "What should I do today?",
]
SYSTEM_PROMPTS = [
    "You are a helpful assistant.",
    "You are a fortune teller.",
    "You are a wise old machine.",
]


def render_chat(messages, add_generation_prompt=False):
    """Python twin of the ChatML ``chat_template`` in tokenizer_config.json."""
    s = "".join(f"{IM_START}{m['role']}\n{m['content']}{IM_END}\n" for m in messages)
    if add_generation_prompt:
        s += f"{IM_START}assistant\n"
    return s


def _clean(text):
    text = re.sub(r".\x08", "", text)                  # overstrike (bold/underline)
    text = text.replace("\t", "    ")
    text = re.sub(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", "", text)
    lines = [ln.rstrip() for ln in text.split("\n")]
    return "\n".join(lines).strip("\n")


def _decode(raw):
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def load_fortunes(directory=FORTUNE_DIR):
    """All fortunes, in a fixed order (sorted file names, file order)."""
    out = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name)
        if name.endswith((".dat", ".u8")) or name in SKIP or not os.path.isfile(path) \
                or os.path.islink(path) or "off" in name.split("-"):
            continue
        with open(path, "rb") as f:
            raw = f.read()
        for chunk in re.split(rb"\n%\n", b"\n" + raw + b"\n"):
            d = _decode(chunk)
            if re.search("[\x80-\x9f\u00c2\u00c3]", d):
                continue  # mojibake in the source file
            c = _clean(d)
            if c.strip() and c.strip() != "%":
                out.append(c)
    return out


def first_words(text, rng):
    words = text.split()
    k = min(len(words), rng.randint(2, 5))
    return " ".join(words[:k])


def make_documents(fortunes, rng, plain_fraction=0.3, system_fraction=0.2):
    """One pass over ``fortunes``: each becomes a conversation (or, sometimes,
    a plain-text document). Returns strings in a shuffled, seeded order."""
    docs = []
    for f in fortunes:
        r = rng.random()
        if r < plain_fraction:
            docs.append(BOS + f + EOS)
            continue
        if rng.random() < 0.25:
            prompt = first_words(f, rng)
        else:
            prompt = rng.choice(PROMPTS)
        msgs = []
        if rng.random() < system_fraction:
            msgs.append({"role": "system", "content": rng.choice(SYSTEM_PROMPTS)})
        msgs.append({"role": "user", "content": prompt})
        msgs.append({"role": "assistant", "content": f})
        docs.append(render_chat(msgs))
    rng.shuffle(docs)
    return docs
