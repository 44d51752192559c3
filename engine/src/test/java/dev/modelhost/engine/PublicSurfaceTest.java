package dev.modelhost.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.testing.PublicSurface;
import org.junit.jupiter.api.Test;

/** What users of the engine jar (backend authors) can see and depend on. */
class PublicSurfaceTest {

  @Test
  void noPublicSignatureOfTheEngineApiNamesAnInternalType() throws Exception {
    assertThat(PublicSurface.internalTypesInPublicSignatures(LocalBackendProvider.class)).isEmpty();
  }
}
