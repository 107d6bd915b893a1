/**
 * Where beat keeps the last run time of each periodic schedule entry.
 */
@Export
@Version("1.0.0")
package org.celeriac.spi.beat;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
