package dev.modelhost.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.testing.PublicSurface;
import org.junit.jupiter.api.Test;

/** What applications using the starter can see, override and depend on. */
class PublicSurfaceTest {

  @Test
  void noPublicSignatureOfTheStarterApiNamesAnInternalType() throws Exception {
    assertThat(PublicSurface.internalTypesInPublicSignatures(ModelhostAutoConfiguration.class)).isEmpty();
  }
}
