"""Byte-level BPE (GPT-2 style): pre-tokenizer, trainer, encoder, decoder and
Hugging Face ``tokenizer.json`` writer.

The pre-tokenizer reproduces the GPT-2 split regex used by the Hugging Face
``ByteLevel`` pre-tokenizer::

    's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+

with a small hand-written scanner, so that only the standard library is needed.
"""
import heapq
import json
import unicodedata
from collections import defaultdict

# Unicode White_Space property (what \s matches in the Rust tokenizers regex).
_WHITESPACE = frozenset(
    [chr(c) for c in range(0x09, 0x0E)]
    + [" ", "\x85", "\xa0", "\u1680", "\u2028", "\u2029", "\u202f", "\u205f", "\u3000"]
    + [chr(c) for c in range(0x2000, 0x200B)]
)
_CONTRACTIONS = ("s", "t", "re", "ve", "m", "ll", "d")


def bytes_to_unicode():
    """GPT-2's reversible map from the 256 byte values to printable characters."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) \
        + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE_ENCODER = bytes_to_unicode()
BYTE_DECODER = {v: k for k, v in BYTE_ENCODER.items()}


def _cls(ch):
    if ch in _WHITESPACE:
        return "S"
    cat = unicodedata.category(ch)
    if cat[0] == "L":
        return "L"
    if cat[0] == "N":
        return "N"
    return "O"


def pre_tokenize(text):
    """Split ``text`` the way the GPT-2 regex does; returns a list of strings."""
    out = []
    n = len(text)
    cls = [_cls(c) for c in text]
    i = 0
    while i < n:
        c = text[i]
        if c == "'":
            for suf in _CONTRACTIONS:
                if text.startswith(suf, i + 1):
                    out.append(text[i:i + 1 + len(suf)])
                    i += 1 + len(suf)
                    break
            else:
                suf = None
            if suf is not None:
                continue
        k = i
        if c == " " and i + 1 < n and cls[i + 1] != "S":
            k = i + 1
        if cls[k] != "S":
            kind = cls[k]
            j = k + 1
            while j < n and cls[j] == kind:
                j += 1
            out.append(text[i:j])
            i = j
            continue
        # whitespace run
        j = i + 1
        while j < n and cls[j] == "S":
            j += 1
        if j == n or j - i == 1:
            out.append(text[i:j])
            i = j
        else:
            out.append(text[i:j - 1])
            i = j - 1
    return out


def to_byte_chars(s):
    return "".join(BYTE_ENCODER[b] for b in s.encode("utf-8"))


def train_bpe(texts, num_merges, min_frequency=2):
    """Train merges on an iterable of strings. Deterministic: ties go to the
    lexicographically smallest pair. Returns the list of merges (pairs)."""
    counts = defaultdict(int)
    for t in texts:
        for w in pre_tokenize(t):
            counts[to_byte_chars(w)] += 1
    items = sorted(counts.items())
    words = [list(w) for w, _ in items]
    freq = [c for _, c in items]

    pair_counts = defaultdict(int)
    where = defaultdict(set)
    for wi, w in enumerate(words):
        for p in zip(w, w[1:]):
            pair_counts[p] += freq[wi]
            where[p].add(wi)
    heap = [(-c, p) for p, c in pair_counts.items()]
    heapq.heapify(heap)

    merges = []
    while len(merges) < num_merges and heap:
        negc, pair = heapq.heappop(heap)
        if pair_counts.get(pair, 0) != -negc:
            continue  # stale entry
        if -negc < min_frequency:
            break
        merges.append(pair)
        a, b = pair
        new = a + b
        changed = set()
        for wi in sorted(where.pop(pair, ())):
            w = words[wi]
            if len(w) < 2:
                continue
            f = freq[wi]
            for p in zip(w, w[1:]):
                pair_counts[p] -= f
                changed.add(p)
            merged = []
            i = 0
            while i < len(w):
                if i + 1 < len(w) and w[i] == a and w[i + 1] == b:
                    merged.append(new)
                    i += 2
                else:
                    merged.append(w[i])
                    i += 1
            words[wi] = merged
            for p in zip(merged, merged[1:]):
                pair_counts[p] += f
                where[p].add(wi)
                changed.add(p)
        pair_counts.pop(pair, None)
        for p in changed:
            c = pair_counts.get(p, 0)
            if c > 0:
                heapq.heappush(heap, (-c, p))
            else:
                pair_counts.pop(p, None)
    return merges


class ByteLevelBPE:
    def __init__(self, vocab, merges, special_tokens):
        self.vocab = dict(vocab)                      # token string -> id
        self.inv = {i: t for t, i in self.vocab.items()}
        self.ranks = {tuple(m): r for r, m in enumerate(merges)}
        self.merges = [tuple(m) for m in merges]
        self.special = dict(special_tokens)           # content -> id
        self.inv.update({i: t for t, i in self.special.items()})
        self._cache = {}

    @classmethod
    def build(cls, merges, special_tokens):
        """ids: 256 byte tokens (by byte value), then merges, then specials."""
        vocab = {BYTE_ENCODER[b]: b for b in range(256)}
        for a, b in merges:
            vocab[a + b] = len(vocab)
        specials = {}
        for s in special_tokens:
            specials[s] = len(vocab)
            vocab[s] = specials[s]
        return cls(vocab, merges, specials)

    def _bpe(self, word):
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        syms = list(word)
        while len(syms) > 1:
            best = None
            for i in range(len(syms) - 1):
                r = self.ranks.get((syms[i], syms[i + 1]))
                if r is not None and (best is None or r < best[0]):
                    best = (r, i)
            if best is None:
                break
            a, b = self.merges[best[0]]
            out = []
            i = 0
            while i < len(syms):
                if i + 1 < len(syms) and syms[i] == a and syms[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            syms = out
        ids = [self.vocab[s] for s in syms]
        self._cache[word] = ids
        return ids

    def encode(self, text):
        """Encode like HF tokenizers: special tokens are split out first."""
        ids = []
        pos = 0
        specials = sorted(self.special, key=len, reverse=True)
        while pos <= len(text):
            nxt = None
            for s in specials:
                j = text.find(s, pos)
                if j >= 0 and (nxt is None or j < nxt[0]):
                    nxt = (j, s)
            end = nxt[0] if nxt else len(text)
            for w in pre_tokenize(text[pos:end]):
                ids.extend(self._bpe(to_byte_chars(w)))
            if nxt is None:
                break
            ids.append(self.special[nxt[1]])
            pos = nxt[0] + len(nxt[1])
        return ids

    def decode(self, ids, skip_special=False):
        parts = []
        buf = []
        for i in ids:
            t = self.inv[i]
            if t in self.special:
                if buf:
                    parts.append(bytes(buf).decode("utf-8", errors="replace"))
                    buf = []
                if not skip_special:
                    parts.append(t)
            else:
                buf.extend(BYTE_DECODER[c] for c in t)
        if buf:
            parts.append(bytes(buf).decode("utf-8", errors="replace"))
        return "".join(parts)

    def to_tokenizer_json(self):
        added = [
            {"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True}
            for s, i in sorted(self.special.items(), key=lambda kv: kv[1])
        ]
        return {
            "version": "1.0",
            "truncation": None,
            "padding": None,
            "added_tokens": added,
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False,
                              "trim_offsets": True, "use_regex": True},
            "post_processor": None,
            "decoder": {"type": "ByteLevel", "add_prefix_space": True,
                        "trim_offsets": True, "use_regex": True},
            "model": {
                "type": "BPE",
                "dropout": None,
                "unk_token": None,
                "continuing_subword_prefix": None,
                "end_of_word_suffix": None,
                "fuse_unk": False,
                "byte_fallback": False,
                "ignore_merges": False,
                "vocab": dict(sorted(self.vocab.items(), key=lambda kv: kv[1])),
                "merges": [a + " " + b for a, b in self.merges],
            },
        }

    def save(self, path):
        with open(path, "w", encoding="utf-8") as f:
            json.dump(self.to_tokenizer_json(), f, ensure_ascii=False, indent=2)
            f.write("\n")
