/** Settings under Celery's names, read from flags, the environment and a properties file. */
@Export
@Version("1.1.0")
package org.celeriac.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
