/**
 * The SQL transport: queues as rows of one table in H2 or PostgreSQL, leased with a visibility timeout.
 */
package org.celeriac.transport.sql;
