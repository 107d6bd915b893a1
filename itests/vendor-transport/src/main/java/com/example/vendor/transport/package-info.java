/**
 * A vendor's transport plugin, written against celeriac-spi only: in-JVM queues behind the {@code vendor://}
 * scheme. The integration tests install it into a running container to show that a plugin from outside the
 * project is picked up, used, and let go of.
 */
package com.example.vendor.transport;
