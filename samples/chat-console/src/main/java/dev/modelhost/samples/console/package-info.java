/** Streams the default model's answer to a prompt, served in-process by Modelhost, to the console. */
@NullMarked
package dev.modelhost.samples.console;

import org.jspecify.annotations.NullMarked;
