/**
 * The SQL result backend: task results and chord counters as rows in H2 or PostgreSQL.
 */
package org.celeriac.backend.sql;
