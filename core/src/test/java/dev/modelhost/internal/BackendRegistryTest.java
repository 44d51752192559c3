package dev.modelhost.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.modelhost.exception.BackendNotFoundException;
import dev.modelhost.spi.BackendProvider;
import dev.modelhost.spi.ModelRuntime;
import dev.modelhost.spi.ModelSource;
import dev.modelhost.testing.ScriptedBackend;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackendRegistryTest {

  /** Claims the scripted backend's name. */
  public static final class Impostor implements BackendProvider {
    @Override
    public String name() {
      return ScriptedBackend.NAME;
    }

    @Override
    public ModelRuntime load(ModelSource source) {
      throw new UnsupportedOperationException("never loaded");
    }
  }

  private final ClassLoader testLoader = getClass().getClassLoader();

  @Test
  void findsADiscoveredBackendByName() {
    BackendRegistry registry = new BackendRegistry(List.of(), testLoader);

    assertThat(registry.get(ScriptedBackend.NAME)).isInstanceOf(ScriptedBackend.class);
    assertThat(registry.names()).containsExactly(ScriptedBackend.NAME);
  }

  @Test
  void refusesAnUnknownNameListingTheAvailableOnes() {
    BackendRegistry registry = new BackendRegistry(List.of(), testLoader);

    assertThatThrownBy(() -> registry.get("onnx"))
        .isInstanceOfSatisfying(BackendNotFoundException.class, e -> {
          assertThat(e.param()).isEqualTo("backend");
          assertThat(e.getMessage()).isEqualTo("No backend named 'onnx'. Available backends: scripted.");
        });
  }

  @Test
  void prefersAnExplicitlyAddedBackendOverADiscoveredOne() {
    Impostor explicit = new Impostor();
    BackendRegistry registry = new BackendRegistry(List.of(explicit), testLoader);

    assertThat(registry.get(ScriptedBackend.NAME)).isSameAs(explicit);
  }

  @Test
  void refusesTwoDiscoveredBackendsWithTheSameNameNamingTheirClasses(@TempDir Path dir) throws IOException {
    Path services = dir.resolve("META-INF/services/" + BackendProvider.class.getName());
    Files.createDirectories(services.getParent());
    Files.writeString(services, Impostor.class.getName() + "\n");

    try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()}, testLoader)) {
      BackendRegistry registry = new BackendRegistry(List.of(), loader);

      assertThatThrownBy(() -> registry.get(ScriptedBackend.NAME))
          .isInstanceOf(BackendNotFoundException.class)
          .hasMessageContaining(Impostor.class.getName())
          .hasMessageContaining(ScriptedBackend.class.getName());
    }
  }

  @Test
  void refusesTwoExplicitBackendsWithTheSameName() {
    assertThatThrownBy(() -> new BackendRegistry(List.of(new Impostor(), new ScriptedBackend()), testLoader))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(Impostor.class.getName());
  }
}
