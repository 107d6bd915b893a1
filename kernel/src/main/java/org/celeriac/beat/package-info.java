/**
 * Celery beat: the scheduler that sends periodic tasks, and the embedded file store of what beats share.
 */
@Export
@Version("1.0.0")
package org.celeriac.beat;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
