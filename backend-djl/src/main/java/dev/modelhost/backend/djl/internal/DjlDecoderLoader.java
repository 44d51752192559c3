package dev.modelhost.backend.djl.internal;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.util.Utils;
import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.spi.ModelSource;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/** Reads a model directory's {@code config.json} and checkpoint into a {@link LlamaDecoder}. */
public final class DjlDecoderLoader {

  /** Option selecting where the weights live: {@code auto} (default), {@code cpu}, {@code gpu}, {@code gpu:N}. */
  public static final String DEVICE_OPTION = "device";

  /** Option setting libtorch's intra-op threads; libtorch has one pool per process, so the last load wins. */
  public static final String THREADS_OPTION = "threads";

  private static final String ENGINE_NAME = "PyTorch";

  private DjlDecoderLoader() {}

  /**
   * Loads the decoder.
   *
   * @param config the parsed {@code config.json}
   * @param files resolves a file name inside the model directory
   * @throws ModelLoadException when the architecture, a dtype or a file is not usable, or libtorch does not start
   */
  public static LlamaDecoder load(JsonNode config, Function<String, Path> files, ModelSource source) {
    LlamaConfig llama = LlamaConfig.parse(config);
    SafetensorsWeights checkpoint = SafetensorsWeights.open(files);
    Engine engine = pytorch();
    if (source.option(THREADS_OPTION) != null) {
      int threads = source.intOption(THREADS_OPTION, 0);
      if (threads < 1) {
        throw new ConfigurationException("Option 'threads' must be at least 1, got " + threads + ".",
            "options." + THREADS_OPTION);
      }
      JniUtils.setNumThreads(threads);
    }
    return LlamaDecoder.load(llama, checkpoint, engine, device(engine, source.option(DEVICE_OPTION, "auto")));
  }

  /**
   * DJL's PyTorch engine, started from the libtorch and JNI jars on the class path. DJL sends usage
   * telemetry from EC2 hosts when its engine class loads; an embedded library must not call out
   * unasked, so that is turned off unless the application set {@code OPT_OUT_TRACKING} itself.
   */
  static Engine pytorch() {
    if (Utils.getEnvOrSystemProperty("OPT_OUT_TRACKING") == null) {
      System.setProperty("OPT_OUT_TRACKING", "true");
    }
    try {
      return Engine.getEngine(ENGINE_NAME);
    } catch (RuntimeException | LinkageError e) {
      throw new ModelLoadException("DJL's PyTorch engine did not start: " + e.getMessage(), e);
    }
  }

  static Device device(Engine engine, String option) {
    String name = option.trim().toLowerCase(Locale.ROOT);
    int gpus = engine.getGpuCount();
    if (name.equals("auto")) {
      return gpus > 0 ? Device.gpu() : Device.cpu();
    }
    if (name.equals("cpu")) {
      return Device.cpu();
    }
    if (name.equals("gpu") || name.equals("cuda") || name.startsWith("gpu:") || name.startsWith("cuda:")) {
      int colon = name.indexOf(':');
      int id;
      try {
        id = colon < 0 ? 0 : Integer.parseInt(name.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw invalidDevice(option);
      }
      if (id < 0 || id >= gpus) {
        throw new ModelLoadException("Option 'device' asks for GPU " + id + " but DJL's PyTorch engine sees " + gpus + " GPU(s).");
      }
      return Device.gpu(id);
    }
    throw invalidDevice(option);
  }

  private static ConfigurationException invalidDevice(String option) {
    return new ConfigurationException(
        "Option 'device' must be auto, cpu, gpu or gpu:N, got '" + option + "'.", "options." + DEVICE_OPTION);
  }
}
