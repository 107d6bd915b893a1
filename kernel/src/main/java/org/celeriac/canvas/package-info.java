/**
 * Celery's canvas: signatures, chains, groups and chords in the dict form Celery sends them in, and the sending of
 * them, shared by the client that starts a workflow and the worker that continues it.
 */
@Export
@Version("1.0.0")
package org.celeriac.canvas;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
