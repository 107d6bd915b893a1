/**
 * The Redis result backend: task results as Celery's {@code celery-task-meta-<id>} JSON documents, published on a
 * channel of the same name for waiting clients, and chord counters as Redis integers; and beat's schedule store.
 */
package org.celeriac.backend.redis;
