/**
 * Where beat keeps what several beats share: each periodic entry's last run, the entries added at run time, and the
 * leader lease.
 */
@Export
@Version("2.0.0")
package org.celeriac.spi.beat;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
