/**
 * The task API: what a task package writes. Methods annotated with {@link org.celeriac.task.Task} become tasks.
 */
@Export
@Version("1.3.0")
package org.celeriac.task;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
