/**
 * The Redis transport: queues as Redis lists in kombu's layout (priority lists, {@code unacked} hash and index), shared with Python Celery.
 */
package org.celeriac.transport.redis;
