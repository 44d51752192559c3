package dev.modelhost.engine.internal.grammar;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.SpecificationVersion;
import tools.jackson.databind.JsonNode;

/** An independent JSON schema validator (draft 2020-12, formats asserted) to check generated texts with. */
public final class SchemaValidators {

  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(
          SpecificationVersion.DRAFT_2020_12,
          builder -> builder.schemaRegistryConfig(SchemaRegistryConfig.builder().formatAssertionsEnabled(true).build()));

  private SchemaValidators() {}

  public static Schema of(JsonNode schema) {
    return REGISTRY.getSchema(schema);
  }
}
