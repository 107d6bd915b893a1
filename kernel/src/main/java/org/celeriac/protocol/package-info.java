/**
 * Celery's message protocol version 2: task messages (headers, properties, {@code [args, kwargs, embed]}
 * body) and the exception form results carry, read from and written to transport {@code Message}s.
 */
@Export
@Version("1.0.0")
package org.celeriac.protocol;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
