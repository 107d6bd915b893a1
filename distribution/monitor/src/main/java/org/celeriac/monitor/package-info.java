/**
 * The web monitor: the cluster's workers and tasks rebuilt from the event stream, as Celery's {@code events.State}
 * keeps them, served at Flower's API paths in Flower's shapes, and as web pages at Flower's page paths, updated live
 * (the pages' files are resources in {@code web/} of this package).
 */
package org.celeriac.monitor;
