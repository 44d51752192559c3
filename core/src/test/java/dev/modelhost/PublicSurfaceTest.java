package dev.modelhost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.modelhost.testing.PublicSurface;
import org.junit.jupiter.api.Test;

/** What users of the core jar can see and depend on. */
class PublicSurfaceTest {

  @Test
  void noPublicSignatureOfTheApiNamesAnInternalType() throws Exception {
    assertThat(PublicSurface.internalTypesInPublicSignatures(ModelHost.class)).isEmpty();
  }

  @Test
  void exceptionsDoNotDependOnTheWireTypes() {
    // The wire types read and refuse JSON with the exceptions; the reverse would be a package cycle.
    assertThat(PublicSurface.classesReferring(ModelHost.class, "dev.modelhost.exception", "dev.modelhost.api"))
        .isEmpty();
  }
}
