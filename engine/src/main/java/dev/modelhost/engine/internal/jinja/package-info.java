/**
 * An interpreter for the Jinja subset that chat templates use, with the semantics of Python's
 * Jinja2 as {@code transformers} configures it: lexer, parser, AST and interpreter. Templates
 * see only plain values (strings, numbers, booleans, {@link NoneValue#NONE}, lists, maps) and
 * cannot reach Java objects.
 */
@NullMarked
package dev.modelhost.engine.internal.jinja;

import org.jspecify.annotations.NullMarked;
