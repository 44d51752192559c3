/** The models Modelhost ships, materialized from the classpath into a model directory. */
@NullMarked
package dev.modelhost.defaultmodel;

import org.jspecify.annotations.NullMarked;
