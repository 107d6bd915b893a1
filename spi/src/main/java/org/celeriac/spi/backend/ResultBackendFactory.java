package org.celeriac.spi.backend;

import java.util.Map;
import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

/** Opens result backends for the URLs whose scheme it names. */
@ConsumerType
public interface ResultBackendFactory {

    /** URL schemes this factory serves, lower case, without the colon. */
    Set<String> schemes();

    /** Opens a backend; options come from settings, the URL's query parameters win. */
    ResultBackend open(String url, Map<String, String> options);
}
