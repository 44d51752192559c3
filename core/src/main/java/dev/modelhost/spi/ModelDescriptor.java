package dev.modelhost.spi;

/**
 * What a runtime serves. {@code modelType} is the architecture or upstream kind (e.g. {@code llama},
 * {@code remote}); {@code contextWindow} is in tokens, 0 when unknown (remote).
 */
public record ModelDescriptor(String modelType, int contextWindow) {}
