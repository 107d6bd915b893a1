/**
 * Celery's monitoring events: the Lamport clock, the dispatcher that stamps events and hands them to sinks each on
 * a bounded buffer of its own, the broker sink ({@code celeryev}) and a log sink, and a receiver for the stream.
 */
@Export
@Version("1.0.0")
package org.celeriac.events;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
