package dev.modelhost.backend.remote;

import dev.modelhost.api.Usage;
import dev.modelhost.spi.ChoiceDelta;
import dev.modelhost.spi.GenerationListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** Keeps what a replica reported; optionally reacts to each delta. */
final class RecordingListener implements GenerationListener {

  record UsageReport(Usage usage, boolean estimated) {}

  final List<ChoiceDelta> deltas = new CopyOnWriteArrayList<>();
  final List<UsageReport> usages = new CopyOnWriteArrayList<>();
  private final Consumer<ChoiceDelta> onDelta;

  RecordingListener() {
    this(delta -> {});
  }

  RecordingListener(Consumer<ChoiceDelta> onDelta) {
    this.onDelta = onDelta;
  }

  @Override
  public void onDelta(ChoiceDelta delta) {
    deltas.add(delta);
    onDelta.accept(delta);
  }

  @Override
  public void onUsage(Usage usage, boolean estimated) {
    usages.add(new UsageReport(usage, estimated));
  }

  /** The text of choice {@code index}, joined. */
  String text(int index) {
    return deltas.stream()
        .filter(d -> d.index() == index && d.text() != null)
        .map(ChoiceDelta::text)
        .collect(Collectors.joining());
  }

  String finishReason(int index) {
    return deltas.stream()
        .filter(d -> d.index() == index && d.finishReason() != null)
        .map(ChoiceDelta::finishReason)
        .findFirst()
        .orElse(null);
  }
}
