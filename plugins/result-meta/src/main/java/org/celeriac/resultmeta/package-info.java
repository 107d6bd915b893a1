/**
 * Celery's result meta document ({@code status, result, traceback, children, date_done, task_id}) as JSON, shared by
 * the backends that store or send it. A plain jar: each plugin copies it in privately.
 */
package org.celeriac.resultmeta;
