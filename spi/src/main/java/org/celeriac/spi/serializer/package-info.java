/**
 * Body serializers, selected by content type. JSON is the only one accepted by default.
 */
@Export
@Version("1.0.0")
package org.celeriac.spi.serializer;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
