/**
 * Result backends: storage of task state and results in Celery's result meta form, atomic counters, saved groups
 * and the join of chords.
 */
@Export
@Version("1.4.0") // 1.4: TaskState.ABORTED
package org.celeriac.spi.backend;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
