/**
 * Where task and worker events go, in Celery's event form.
 */
@Export
@Version("1.2.0")
package org.celeriac.spi.events;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
