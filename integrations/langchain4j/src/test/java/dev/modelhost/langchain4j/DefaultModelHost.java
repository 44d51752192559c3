package dev.modelhost.langchain4j;

import dev.modelhost.ModelHost;
import dev.modelhost.ServiceSpec;
import dev.modelhost.defaultmodel.DefaultModel;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.spi.UsageRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** One host for the tests: the fortune-llama default model as service {@code local/default}, on ONNX Runtime. */
final class DefaultModelHost {

  static final String SERVICE = "local/default";

  /** Every usage record the host has written. */
  static final List<UsageRecord> USAGE = new CopyOnWriteArrayList<>();

  static final ModelHost HOST = start();

  private DefaultModelHost() {}

  private static ModelHost start() {
    ModelHost host = ModelHost.builder().addUsageSink(USAGE::add).build();
    host.deploy(ServiceSpec.builder("local", "default")
        .backend("onnx")
        .source(new ModelSource(DefaultModel.FORTUNE_LLAMA.directory().toString(), Map.of("threads", "1")))
        .build());
    host.awaitRunning(SERVICE, Duration.ofMinutes(2));
    return host;
  }
}
