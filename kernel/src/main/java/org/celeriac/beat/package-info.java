/**
 * Celery beat: when periodic tasks are due (interval, crontab, clocked and solar schedules) and the loop that sends them.
 */
@Export
@Version("1.0.0")
package org.celeriac.beat;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
