/** Sending tasks and reading their results: {@link org.celeriac.client.CeleriacClient} and {@link org.celeriac.client.AsyncResult}. */
@Export
@Version("1.0.0")
package org.celeriac.client;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
