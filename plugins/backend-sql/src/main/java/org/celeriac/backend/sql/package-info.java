/**
 * The SQL result backend: task results and chord counters as rows in H2 or PostgreSQL; and beat's schedule store.
 */
package org.celeriac.backend.sql;
