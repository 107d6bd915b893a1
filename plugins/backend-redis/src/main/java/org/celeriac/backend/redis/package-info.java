/**
 * The Redis result backend: task results as Celery's {@code celery-task-meta-<id>} JSON documents, published on a
 * channel of the same name for waiting clients, chord counters as Redis integers, the join of chords and saved groups
 * in Celery 5.2's {@code celery-taskset-meta-<id>} keys; and beat's schedule store.
 */
package org.celeriac.backend.redis;
