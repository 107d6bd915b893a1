/**
 * Celery's beat: periodic entries, their schedules (interval, crontab, clocked, solar), and the loop that sends each
 * tick once however many beats share a store.
 */
@Export
@Version("1.0.0")
package org.celeriac.beat;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
