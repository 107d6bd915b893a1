/**
 * How the kernel finds plugins: one interface, {@link org.celeriac.discovery.PluginCatalog}, served by
 * {@link java.util.ServiceLoader} in a plain application and by the OSGi service registry in the container.
 */
@Export
@Version("1.1.0")
package org.celeriac.discovery;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
