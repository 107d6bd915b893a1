/**
 * The in-memory transport and result backend ({@code memory://}): one process, nothing durable. For tests
 * and for embedding where a broker is not wanted.
 */
package org.celeriac.memory;
