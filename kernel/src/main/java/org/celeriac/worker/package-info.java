/** The worker: consumes queues, runs tasks on a bounded pool, stores results, retries, dead-letters bad input. */
@Export
@Version("1.2.0")
package org.celeriac.worker;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
