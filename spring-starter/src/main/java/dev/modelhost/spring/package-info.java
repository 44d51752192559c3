/**
 * Spring Boot auto-configuration for Modelhost: the OpenAI-compatible HTTP API, API keys, the
 * management API, health and metrics.
 */
@NullMarked
package dev.modelhost.spring;

import org.jspecify.annotations.NullMarked;
