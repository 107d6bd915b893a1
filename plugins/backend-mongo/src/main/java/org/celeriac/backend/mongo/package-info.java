/**
 * The MongoDB result backend, Celery's ({@code mongodb://} URLs): task results in {@code celery_taskmeta} documents
 * ({@code _id} the task id, {@code status}, {@code result} as JSON text, {@code date_done}, {@code traceback},
 * {@code children}), saved groups in {@code celery_groupmeta}, as Celery's MongoDB backend writes and reads them; chord
 * joins and counters by {@code $inc}; expiry by a TTL index.
 */
package org.celeriac.backend.mongo;
