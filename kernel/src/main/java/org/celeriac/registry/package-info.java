/**
 * Which tasks this process can run: {@code @Task} methods found in task packages, and how JSON arguments
 * bind to their parameters.
 */
@Export
@Version("1.0.0")
package org.celeriac.registry;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
