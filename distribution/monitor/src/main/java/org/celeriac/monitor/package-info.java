/**
 * The web monitor: the cluster's workers and tasks rebuilt from the event stream, as Celery's {@code events.State}
 * keeps them, served at Flower's API paths in Flower's shapes.
 */
package org.celeriac.monitor;
