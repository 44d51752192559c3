package dev.modelhost.backend.djl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.spi.BackendProvider;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class DjlBackendProviderTest {

  @Test
  void isFoundByNameWithServiceLoader() {
    assertThat(ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get))
        .filteredOn(provider -> provider.name().equals("djl"))
        .singleElement()
        .isInstanceOf(DjlBackendProvider.class);
  }
}
