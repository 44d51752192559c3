package dev.modelhost.engine.internal;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.modelhost.engine.ModelDirectory;
import dev.modelhost.engine.internal.grammar.TokenVocabulary;
import dev.modelhost.exception.ModelLoadException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import tools.jackson.databind.JsonNode;

/**
 * A model's Hugging Face tokenizer ({@code tokenizer.json} through DJL's native binding) with the
 * settings of {@code tokenizer_config.json}, and a table of each token's UTF-8 bytes so that
 * generated tokens are turned into text without a native call per token.
 */
public final class TextTokenizer implements AutoCloseable {

  private static final byte[] NO_BYTES = new byte[0];

  private final HuggingFaceTokenizer tokenizer;
  private final TokenizerSettings settings;
  private final String[] pieces;
  private final byte[][] bytes;
  private final boolean[] special;
  private final Set<String> addedTokens;
  private final boolean stripLeadingSpace;
  private final int bosId;
  private final int eosId;
  private final AtomicBoolean closed = new AtomicBoolean();

  private TextTokenizer(
      HuggingFaceTokenizer tokenizer,
      TokenizerSettings settings,
      String[] pieces,
      byte[][] bytes,
      boolean[] special,
      Set<String> addedTokens,
      boolean stripLeadingSpace) {
    this.tokenizer = tokenizer;
    this.settings = settings;
    this.pieces = pieces;
    this.bytes = bytes;
    this.special = special;
    this.addedTokens = Set.copyOf(addedTokens);
    this.stripLeadingSpace = stripLeadingSpace;
    this.bosId = settings.bosToken() == null ? -1 : idOf(settings.bosToken());
    this.eosId = settings.eosToken() == null ? -1 : idOf(settings.eosToken());
  }

  /**
   * Loads {@code tokenizer.json} and {@code tokenizer_config.json} (optional) from {@code dir}.
   *
   * @throws ModelLoadException when {@code tokenizer.json} is missing or cannot be read
   */
  public static TextTokenizer load(ModelDirectory dir) {
    if (!dir.exists("tokenizer.json")) {
      throw new ModelLoadException("Model directory " + dir + " has no tokenizer.json (a Hugging Face fast tokenizer is required).");
    }
    TokenizerSettings settings = TokenizerSettings.load(dir);
    JsonNode json = dir.readJson("tokenizer.json");
    Map<String, String> options = new HashMap<>();
    // Prompts are never cut or padded here: the context window check reports them instead.
    options.put("truncation", "false");
    options.put("padding", "false");
    options.put("addSpecialTokens", "false");
    HuggingFaceTokenizer tokenizer;
    try {
      tokenizer = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"), options);
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException("Cannot load tokenizer.json of " + dir + ": " + e.getMessage(), e);
    }
    try {
      return build(tokenizer, settings, json);
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  private static TextTokenizer build(HuggingFaceTokenizer tokenizer, TokenizerSettings settings, JsonNode json) {
    Map<Integer, String> byId = new HashMap<>();
    Map<Integer, Boolean> addedSpecial = new HashMap<>();
    Set<String> addedTokens = new HashSet<>();
    JsonNode vocab = json.path("model").path("vocab");
    if (vocab.isObject()) {
      for (Map.Entry<String, JsonNode> e : vocab.properties()) {
        byId.put(e.getValue().asInt(), e.getKey());
      }
    } else if (vocab.isArray()) { // Unigram: [[piece, score], ...]
      for (int i = 0; i < vocab.size(); i++) {
        byId.put(i, vocab.get(i).path(0).asString(""));
      }
    }
    for (JsonNode added : json.path("added_tokens")) {
      int id = added.path("id").asInt();
      byId.put(id, added.path("content").asString(""));
      addedTokens.add(added.path("content").asString(""));
      addedSpecial.put(id, added.path("special").asBoolean(false));
    }
    int size = byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    if (size == 0) {
      throw new ModelLoadException("tokenizer.json has an empty vocabulary.");
    }
    String[] pieces = new String[size];
    byte[][] bytes = new byte[size][];
    boolean[] special = new boolean[size];
    PieceDecoder decoder = PieceDecoder.of(json.path("decoder"), json.path("model"));
    for (int id = 0; id < size; id++) {
      String piece = byId.get(id);
      if (piece == null) {
        pieces[id] = "";
        bytes[id] = NO_BYTES;
        continue;
      }
      pieces[id] = piece;
      Boolean isSpecial = addedSpecial.get(id);
      if (isSpecial != null) {
        special[id] = isSpecial;
        // Added tokens are stored as plain text, never byte-level encoded.
        bytes[id] = isSpecial ? NO_BYTES : piece.getBytes(StandardCharsets.UTF_8);
      } else {
        bytes[id] = decoder.bytes(piece);
      }
    }
    return new TextTokenizer(tokenizer, settings, pieces, bytes, special, addedTokens, decoder.stripsLeadingSpace());
  }

  public TokenizerSettings settings() {
    return settings;
  }

  /** Number of token ids the tokenizer knows. */
  public int size() {
    return pieces.length;
  }

  /** The id of {@code token} (a vocabulary entry or added token), or -1. */
  public int idOf(String token) {
    for (int i = 0; i < pieces.length; i++) {
      if (pieces[i].equals(token)) {
        return i;
      }
    }
    return -1;
  }

  /** The BOS token's id, or -1 when the model has none. */
  public int bosId() {
    return bosId;
  }

  /** The EOS token's id from {@code tokenizer_config.json}, or -1. */
  public int eosId() {
    return eosId;
  }

  /** Whether the first space of the decoded output is dropped (SentencePiece's {@code ▁} prefix). */
  public boolean stripsLeadingSpace() {
    return stripLeadingSpace;
  }

  /**
   * Tokens of a chat template's output: special tokens appear as text there, so none are added.
   */
  public int[] encodeRendered(String text) {
    return encode(text, false);
  }

  /**
   * Tokens of a raw completion prompt: BOS/EOS as {@code add_bos_token}/{@code add_eos_token} say,
   * or as the tokenizer's post-processor adds them when the config does not say.
   */
  public int[] encodePrompt(String text) {
    if (settings.addBosToken() == null && settings.addEosToken() == null) {
      return encode(text, true);
    }
    int[] ids = encode(text, false);
    boolean bos = Boolean.TRUE.equals(settings.addBosToken()) && bosId >= 0 && (ids.length == 0 || ids[0] != bosId);
    boolean eos = Boolean.TRUE.equals(settings.addEosToken()) && eosId >= 0;
    if (!bos && !eos) {
      return ids;
    }
    int[] out = new int[ids.length + (bos ? 1 : 0) + (eos ? 1 : 0)];
    System.arraycopy(ids, 0, out, bos ? 1 : 0, ids.length);
    if (bos) {
      out[0] = bosId;
    }
    if (eos) {
      out[out.length - 1] = eosId;
    }
    return out;
  }

  private int[] encode(String text, boolean addSpecialTokens) {
    ensureOpen();
    Encoding encoding = tokenizer.encode(text, addSpecialTokens, false);
    long[] ids = encoding.getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = (int) ids[i];
    }
    return out;
  }

  /** The UTF-8 bytes token {@code id} adds to the output (none for special tokens); do not modify. */
  public byte[] bytes(int id) {
    return id >= 0 && id < bytes.length ? bytes[id] : NO_BYTES;
  }

  /** The text of every token {@code tokenizer.json} adds to the vocabulary, special or not. */
  public Set<String> addedTokens() {
    return addedTokens;
  }

  /** The UTF-8 bytes of a token's text as the vocabulary writes it, for special tokens shown as text. */
  public byte[] specialText(int id) {
    return id >= 0 && id < pieces.length ? pieces[id].getBytes(StandardCharsets.UTF_8) : NO_BYTES;
  }

  /**
   * The tokens as constrained decoding sees them: the bytes each adds to the output. Special
   * tokens add none, so a grammar never allows them, except the {@code shownSpecial} ones (a tool
   * format's markers), which count as their text: a grammar that writes {@code [TOOL_CALLS]} may
   * then be followed with that one token as well as with ordinary pieces spelling it.
   *
   * @param size the width of the model's rows of logits
   * @param endTokens the tokens that end generation, allowed where the grammar's text is whole
   * @param shownSpecial special tokens, by id, that stand for their text; do not modify
   */
  public TokenVocabulary constrainedVocabulary(int size, int[] endTokens, boolean[] shownSpecial) {
    byte[][] constrained = java.util.Arrays.copyOf(bytes, Math.min(size, bytes.length));
    for (int id = 0; id < Math.min(constrained.length, shownSpecial.length); id++) {
      if (shownSpecial[id]) {
        constrained[id] = specialText(id);
      }
    }
    return new TokenVocabulary(size, constrained, endTokens);
  }

  /** Whether {@code id} is a special (control) token, which adds no text. */
  public boolean isSpecial(int id) {
    return id >= 0 && id < special.length && special[id];
  }

  /**
   * The token as log-probability entries show it: its text, or for a token that is part of a
   * character, its bytes written {@code bytes:\xNN} as OpenAI does.
   */
  public String display(int id) {
    if (id < 0 || id >= pieces.length) {
      return "";
    }
    if (special[id]) {
      return pieces[id];
    }
    byte[] b = bytes[id];
    // Only whole, valid characters survive the round trip; a piece of one becomes U+FFFD.
    String text = new String(b, StandardCharsets.UTF_8);
    if (java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), b)) {
      return text;
    }
    StringBuilder sb = new StringBuilder("bytes:");
    for (byte x : b) {
      sb.append(String.format("\\x%02x", x & 0xff));
    }
    return sb.toString();
  }

  /** Decodes whole token sequences (skipping special tokens) with the native tokenizer. */
  public String decode(int[] ids) {
    ensureOpen();
    long[] longs = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      longs[i] = ids[i];
    }
    return tokenizer.decode(longs, true);
  }

  private void ensureOpen() {
    if (closed.get()) {
      throw new IllegalStateException("The tokenizer was closed.");
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      tokenizer.close();
    }
  }

  /** Turns a vocabulary piece into the bytes it decodes to, following tokenizer.json's decoder. */
  private interface PieceDecoder {

    byte[] bytes(String piece);

    boolean stripsLeadingSpace();

    static PieceDecoder of(JsonNode decoder, JsonNode model) {
      String type = decoder.path("type").asString("");
      if (type.equals("ByteLevel")) {
        return new ByteLevel();
      }
      boolean metaspace = false;
      boolean byteFallback = model.path("byte_fallback").asBoolean(false);
      boolean strip = false;
      Iterator<JsonNode> parts = type.equals("Sequence") ? decoder.path("decoders").iterator() : java.util.List.of(decoder).iterator();
      while (parts.hasNext()) {
        JsonNode part = parts.next();
        switch (part.path("type").asString("")) {
          case "ByteLevel" -> {
            return new ByteLevel();
          }
          case "Metaspace" -> {
            metaspace = true;
            String scheme = part.path("prepend_scheme").asString(null);
            strip |= scheme == null ? part.path("add_prefix_space").asBoolean(true) : !scheme.equals("never");
          }
          case "Replace" -> metaspace |= "\u2581".equals(part.path("pattern").path("String").asString(null));
          case "ByteFallback" -> byteFallback = true;
          case "Strip" -> strip |= " ".equals(part.path("content").asString(null)) && part.path("start").asInt(0) > 0;
          default -> { }
        }
      }
      return new SentencePiece(metaspace, byteFallback, strip);
    }
  }

  /** GPT-2 style: every byte is stored as one printable character. */
  private static final class ByteLevel implements PieceDecoder {

    private static final int[] BYTE_OF_CHAR = new int[512];

    static {
      java.util.Arrays.fill(BYTE_OF_CHAR, -1);
      int n = 0;
      for (int b = 0; b < 256; b++) {
        boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
        BYTE_OF_CHAR[printable ? b : 256 + n++] = b;
      }
    }

    @Override
    public byte[] bytes(String piece) {
      byte[] out = new byte[piece.length()];
      for (int i = 0; i < piece.length(); i++) {
        char c = piece.charAt(i);
        if (c >= BYTE_OF_CHAR.length || BYTE_OF_CHAR[c] < 0) {
          // Not a byte-level piece after all: keep its text.
          return piece.getBytes(StandardCharsets.UTF_8);
        }
        out[i] = (byte) BYTE_OF_CHAR[c];
      }
      return out;
    }

    @Override
    public boolean stripsLeadingSpace() {
      return false;
    }
  }

  /** SentencePiece style: {@code ▁} is a space, {@code <0xNN>} one raw byte. */
  private record SentencePiece(boolean metaspace, boolean byteFallback, boolean strip) implements PieceDecoder {

    @Override
    public byte[] bytes(String piece) {
      if (byteFallback && piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
        try {
          return new byte[] {(byte) Integer.parseInt(piece.substring(3, 5), 16)};
        } catch (NumberFormatException e) {
          // an ordinary piece that merely looks like a byte
        }
      }
      String text = metaspace ? piece.replace('\u2581', ' ') : piece;
      return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean stripsLeadingSpace() {
      return strip;
    }
  }
}
