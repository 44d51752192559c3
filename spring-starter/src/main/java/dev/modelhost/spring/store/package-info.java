/**
 * Where the server keeps what must outlive it: services, API keys and the usage ledger. Each is an
 * interface with an in-memory implementation (embedded use, tests) and a JDBC one (H2 or
 * PostgreSQL, the server's default); an application can supply its own as a bean.
 */
@NullMarked
package dev.modelhost.spring.store;

import org.jspecify.annotations.NullMarked;
