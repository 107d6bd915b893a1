/** The entry point for embedding: {@link org.celeriac.app.Celeriac} opens broker and backend from settings. */
@Export
@Version("1.0.0")
package org.celeriac.app;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
