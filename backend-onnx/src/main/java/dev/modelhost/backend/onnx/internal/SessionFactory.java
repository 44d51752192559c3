package dev.modelhost.backend.onnx.internal;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.modelhost.exception.ConfigurationException;
import dev.modelhost.exception.ModelLoadException;
import dev.modelhost.spi.ModelSource;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the one session a loaded model shares. Options: {@code threads} (intra-op threads,
 * default: available processors) and {@code device}: {@code auto} (default; CUDA when the
 * {@code onnxruntime_gpu} artifact is on the classpath and a GPU answers, else CPU), {@code cuda}
 * (CUDA or a load error) or {@code cpu}.
 */
final class SessionFactory {

  static final String THREADS = "threads";
  static final String DEVICE = "device";

  private static final Logger LOG = LoggerFactory.getLogger(SessionFactory.class);

  /** The opened session and the device it runs on. */
  record Opened(OrtSession session, String device) {}

  private SessionFactory() {}

  static Opened open(OrtEnvironment env, Path model, ModelSource source) {
    int threads = source.intOption(THREADS, Runtime.getRuntime().availableProcessors());
    if (threads < 1) {
      throw new ConfigurationException("Option '" + THREADS + "' must be at least 1, got " + threads + ".",
          "options." + THREADS);
    }
    String device = source.option(DEVICE, "auto").trim().toLowerCase(Locale.ROOT);
    if (!device.equals("auto") && !device.equals("cpu") && !device.equals("cuda")) {
      throw new ConfigurationException(
          "Option '" + DEVICE + "' must be one of auto, cpu, cuda; got '" + source.option(DEVICE) + "'.",
          "options." + DEVICE);
    }
    boolean cudaAvailable = OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
    if (device.equals("cuda") && !cudaAvailable) {
      throw new ModelLoadException(
          "Option device=cuda needs the com.microsoft.onnxruntime:onnxruntime_gpu artifact instead of onnxruntime"
              + " (this runtime offers " + OrtEnvironment.getAvailableProviders() + ").");
    }
    if (!device.equals("cpu") && cudaAvailable) {
      try {
        return new Opened(create(env, model, threads, true), "cuda");
      } catch (OrtException | RuntimeException e) {
        if (device.equals("cuda")) {
          throw new ModelLoadException("Cannot open '" + model.getFileName() + "' on CUDA: " + e.getMessage(), e);
        }
        LOG.warn("CUDA is not usable ({}); running '{}' on the CPU.", e.getMessage(), model.getFileName());
      }
    }
    try {
      return new Opened(create(env, model, threads, false), "cpu");
    } catch (OrtException e) {
      throw new ModelLoadException("ONNX Runtime cannot load '" + model.getFileName() + "': " + e.getMessage(), e);
    }
  }

  private static OrtSession create(OrtEnvironment env, Path model, int threads, boolean cuda) throws OrtException {
    try (SessionOptions options = new SessionOptions()) {
      options.setOptimizationLevel(OptLevel.ALL_OPT);
      options.setIntraOpNumThreads(threads);
      if (cuda) {
        options.addCUDA();
      }
      // By path, so that ONNX Runtime finds external weights (model.onnx.data) next to the graph.
      return env.createSession(model.toString(), options);
    }
  }
}
