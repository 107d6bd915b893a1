/**
 * Celery's remote control, the pidbox: commands broadcast on {@code celery.pidbox}, replies on
 * {@code reply.celery.pidbox} to the caller's queue. {@link org.celeriac.control.Control} sends them and collects the
 * replies; {@link org.celeriac.control.WorkerNode} is a worker as monitors see it: its mailbox, its heartbeats and its
 * task events.
 */
@Export
@Version("1.1.0")
package org.celeriac.control;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
