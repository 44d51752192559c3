package dev.modelhost.backend.djl.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.modelhost.api.Json;
import dev.modelhost.exception.ModelLoadException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.ShortBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * The tensors of a safetensors checkpoint: {@code model.safetensors}, or the shards listed in
 * {@code model.safetensors.index.json}. A file is an 8-byte little-endian header length, a JSON
 * header (name to dtype, shape and byte range) and the raw little-endian data. Only the headers are
 * read up front; {@link #loadFloat32} maps one tensor's bytes when it is needed.
 */
final class SafetensorsWeights {

  static final String SINGLE_FILE = "model.safetensors";
  static final String INDEX_FILE = "model.safetensors.index.json";

  /** Headers larger than this are not a real checkpoint's (the format's own limit is 100 MB). */
  private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

  private static final long DEFAULT_CHUNK_BYTES = Integer.MAX_VALUE - 8L;

  private record Entry(String name, Path file, String dtype, long[] shape, long position, long bytes) {}

  private final Map<String, Entry> entries;
  private final long chunkBytes;

  private SafetensorsWeights(Map<String, Entry> entries, long chunkBytes) {
    this.entries = Map.copyOf(entries);
    this.chunkBytes = chunkBytes;
  }

  /**
   * Reads the headers of the checkpoint in a model directory.
   *
   * @param files resolves a file name inside the model directory
   * @throws ModelLoadException when there is no checkpoint or a header is malformed
   */
  public static SafetensorsWeights open(Function<String, Path> files) {
    return open(files, DEFAULT_CHUNK_BYTES);
  }

  /** As {@link #open(Function)}, loading tensors whose float32 form exceeds {@code chunkBytes} in row blocks. */
  static SafetensorsWeights open(Function<String, Path> files, long chunkBytes) {
    Path single = files.apply(SINGLE_FILE);
    if (Files.isRegularFile(single)) {
      return new SafetensorsWeights(readHeader(single), chunkBytes);
    }
    Path index = files.apply(INDEX_FILE);
    if (!Files.isRegularFile(index)) {
      throw new ModelLoadException(
          "The model directory has neither " + SINGLE_FILE + " nor " + INDEX_FILE + ".");
    }
    JsonNode weightMap = readJson(index).path("weight_map");
    if (!weightMap.isObject() || weightMap.isEmpty()) {
      throw new ModelLoadException(INDEX_FILE + " has no 'weight_map' object.");
    }
    Map<String, Map<String, Entry>> shards = new HashMap<>();
    Map<String, Entry> entries = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> mapping : weightMap.properties()) {
      if (!mapping.getValue().isString()) {
        throw new ModelLoadException(INDEX_FILE + " maps '" + mapping.getKey() + "' to something other than a file name.");
      }
      String shard = mapping.getValue().asString();
      Map<String, Entry> header = shards.computeIfAbsent(shard, name -> readHeader(files.apply(name)));
      Entry entry = header.get(mapping.getKey());
      if (entry == null) {
        throw new ModelLoadException(
            INDEX_FILE + " places tensor '" + mapping.getKey() + "' in " + shard + ", which does not contain it.");
      }
      entries.put(entry.name(), entry);
    }
    return new SafetensorsWeights(entries, chunkBytes);
  }

  /** Names of all tensors. */
  public Set<String> names() {
    return entries.keySet();
  }

  public boolean contains(String name) {
    return entries.containsKey(name);
  }

  /**
   * The shape of tensor {@code name}.
   *
   * @throws ModelLoadException when the checkpoint has no such tensor
   */
  public long[] shape(String name) {
    return entry(name).shape().clone();
  }

  /**
   * Loads tensor {@code name} as a float32 array owned by {@code manager}. F32 data on the CPU is
   * used in place from the memory-mapped file (no copy); F16 and BF16 are widened.
   *
   * @throws ModelLoadException when the tensor is missing, has another dtype or cannot be read
   */
  public NDArray loadFloat32(String name, NDManager manager) {
    Entry entry = entry(name);
    DataType type = dataType(entry);
    long[] shape = entry.shape();
    long elements = entry.bytes() / type.getNumOfBytes();
    try (FileChannel channel = FileChannel.open(entry.file(), StandardOpenOption.READ)) {
      if (elements * Float.BYTES <= chunkBytes || shape.length == 0) {
        return toFloat32(map(channel, entry.position(), entry.bytes()), shape, type, manager);
      }
      return loadInRowBlocks(entry, type, channel, manager);
    } catch (IOException e) {
      throw new ModelLoadException("Cannot read tensor '" + name + "' from " + entry.file().getFileName() + ".", e);
    }
  }

  /** A buffer is limited to 2 GiB: larger tensors (big vocabularies) come in row blocks. */
  private NDArray loadInRowBlocks(Entry entry, DataType type, FileChannel channel, NDManager manager)
      throws IOException {
    long[] shape = entry.shape();
    long rows = shape[0];
    long rowBytes = entry.bytes() / Math.max(rows, 1);
    long rowFloatBytes = rowBytes / type.getNumOfBytes() * Float.BYTES;
    long rowsPerBlock = Math.max(1, chunkBytes / Math.max(rowFloatBytes, 1));
    try (NDManager blocks = manager.newSubManager()) {
      NDList parts = new NDList();
      for (long row = 0; row < rows; row += rowsPerBlock) {
        long count = Math.min(rowsPerBlock, rows - row);
        long[] blockShape = shape.clone();
        blockShape[0] = count;
        parts.add(toFloat32(map(channel, entry.position() + row * rowBytes, count * rowBytes), blockShape, type, blocks));
      }
      NDArray whole = NDArrays.concat(parts, 0);
      whole.attach(manager);
      return whole;
    }
  }

  private static ByteBuffer map(FileChannel channel, long position, long bytes) throws IOException {
    return channel.map(FileChannel.MapMode.READ_ONLY, position, bytes).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * F32 is used as mapped; F16 is widened by libtorch. DJL's PyTorch bridge cannot create BF16
   * arrays, so BF16 is widened here: a bfloat16 is the upper half of the float32 with the same value.
   */
  private static NDArray toFloat32(ByteBuffer data, long[] shape, DataType type, NDManager manager) {
    if (type == DataType.FLOAT32) {
      return manager.create(data, new Shape(shape), type);
    }
    if (type == DataType.FLOAT16) {
      try (NDArray half = manager.create(data, new Shape(shape), type)) {
        return half.toType(DataType.FLOAT32, false);
      }
    }
    ShortBuffer source = data.asShortBuffer();
    int count = source.remaining();
    ByteBuffer wide = ByteBuffer.allocateDirect(count * Float.BYTES).order(ByteOrder.nativeOrder());
    IntBuffer target = wide.asIntBuffer();
    for (int i = 0; i < count; i++) {
      target.put(i, (source.get(i) & 0xFFFF) << 16);
    }
    NDArray widened = manager.create(wide, new Shape(shape), DataType.FLOAT32);
    if (manager.getDevice().isGpu()) {
      // Already copied to the device; the direct buffer can be collected.
      return widened;
    }
    try (widened) {
      // A copy owned by libtorch, so that the transient direct buffer can be collected.
      return widened.duplicate();
    }
  }

  private Entry entry(String name) {
    Entry entry = entries.get(name);
    if (entry == null) {
      throw new ModelLoadException("The checkpoint has no tensor '" + name + "'.");
    }
    return entry;
  }

  private static DataType dataType(Entry entry) {
    return switch (entry.dtype()) {
      case "F32" -> DataType.FLOAT32;
      case "F16" -> DataType.FLOAT16;
      case "BF16" -> DataType.BFLOAT16;
      default -> throw new ModelLoadException(
          "Tensor '" + entry.name() + "' has dtype " + entry.dtype()
              + "; the djl backend reads F32, F16 and BF16 weights (quantized checkpoints are not supported).");
    };
  }

  private static int elementBytes(String dtype) {
    return switch (dtype) {
      case "F64", "I64", "U64" -> 8;
      case "F32", "I32", "U32" -> 4;
      case "F16", "BF16", "I16", "U16" -> 2;
      case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
      default -> 0;
    };
  }

  private static Map<String, Entry> readHeader(Path file) {
    String fileName = String.valueOf(file.getFileName());
    if (!Files.isRegularFile(file)) {
      throw new ModelLoadException("Safetensors file " + fileName + " is missing from the model directory.");
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lengthBytes, 0);
      long headerLength = lengthBytes.getLong(0);
      if (size < 8 || headerLength <= 1 || headerLength > MAX_HEADER_BYTES || headerLength > size - 8) {
        throw new ModelLoadException(fileName + " is not a safetensors file (bad header length).");
      }
      ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
      readFully(channel, headerBytes, 8);
      JsonNode header = parse(new String(headerBytes.array(), StandardCharsets.UTF_8), fileName);
      long dataStart = 8 + headerLength;
      Map<String, Entry> entries = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> field : header.properties()) {
        if (field.getKey().equals("__metadata__")) {
          continue;
        }
        entries.put(field.getKey(), entry(file, fileName, field.getKey(), field.getValue(), dataStart, size));
      }
      return entries;
    } catch (IOException e) {
      throw new ModelLoadException("Cannot read safetensors file " + fileName + ".", e);
    }
  }

  private static Entry entry(Path file, String fileName, String name, JsonNode node, long dataStart, long fileSize) {
    JsonNode dtype = node.path("dtype");
    JsonNode shapeNode = node.path("shape");
    JsonNode offsets = node.path("data_offsets");
    if (!dtype.isString() || !shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
      throw new ModelLoadException("Tensor '" + name + "' in " + fileName + " has a malformed header entry.");
    }
    long[] shape = new long[shapeNode.size()];
    long elements = 1;
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).asLong(-1);
      if (shape[i] < 0) {
        throw new ModelLoadException("Tensor '" + name + "' in " + fileName + " has a malformed shape.");
      }
      elements = Math.multiplyExact(elements, shape[i]);
    }
    long begin = offsets.get(0).asLong(-1);
    long end = offsets.get(1).asLong(-1);
    int width = elementBytes(dtype.asString());
    if (begin < 0 || end < begin || dataStart + end > fileSize
        || (width > 0 && end - begin != elements * width)) {
      throw new ModelLoadException("Tensor '" + name + "' in " + fileName + " has data offsets that do not fit its shape or the file.");
    }
    return new Entry(name, file, dtype.asString(), shape, dataStart + begin, end - begin);
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int read = channel.read(buffer, at);
      if (read < 0) {
        throw new IOException("unexpected end of file");
      }
      at += read;
    }
  }

  private static JsonNode readJson(Path file) {
    try {
      return parse(Files.readString(file), String.valueOf(file.getFileName()));
    } catch (IOException e) {
      throw new ModelLoadException("Cannot read " + file.getFileName() + ".", e);
    }
  }

  private static JsonNode parse(String text, String fileName) {
    try {
      JsonNode node = Json.mapper().readTree(text);
      if (!node.isObject()) {
        throw new ModelLoadException(fileName + " does not hold a JSON object.");
      }
      return node;
    } catch (JacksonException e) {
      throw new ModelLoadException(fileName + " is not valid JSON.", e);
    }
  }
}
