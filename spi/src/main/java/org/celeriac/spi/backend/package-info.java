/**
 * Result backends: storage of task state and results in Celery's result meta form, and atomic counters for chords.
 */
@Export
@Version("1.2.0")
package org.celeriac.spi.backend;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
