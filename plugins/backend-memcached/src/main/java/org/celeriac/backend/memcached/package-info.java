/**
 * The Memcached result backend, Celery's cache backend ({@code cache+memcached://host:port;host2:port/}): task
 * results as {@code celery-task-meta-<id>} JSON values with pylibmc's flags, saved groups as
 * {@code celery-taskset-meta-<id>}, chord counters by {@code incr}, and keys spread over several servers as pylibmc's
 * default (libmemcached's modula distribution of its one-at-a-time hash) spreads them.
 */
package org.celeriac.backend.memcached;
