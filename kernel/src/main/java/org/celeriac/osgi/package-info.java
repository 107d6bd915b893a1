/**
 * The kernel inside an OSGi framework: plugins are Declarative Services components found in the service
 * registry, task packages are bundles with a {@code Celeriac-Tasks} header, and one component,
 * {@link org.celeriac.osgi.CeleriacRuntime}, keeps an app and its worker running on configuration
 * {@code org.celeriac} while the plugins they need are there. Private to the kernel bundle: nothing here is
 * exported, and nothing outside depends on it.
 */
package org.celeriac.osgi;
