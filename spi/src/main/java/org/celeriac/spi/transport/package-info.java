/**
 * Broker transports: a few verbs (declare, publish, receive, ack, reject, broadcast) that each plugin translates to one client library, as kombu does.
 */
@Export
@Version("1.4.0")
package org.celeriac.spi.transport;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
