package org.celeriac.spi.beat;

import java.util.Map;
import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

/** Opens schedule stores for the URLs whose scheme it names ({@code file}, {@code redis}, {@code sql}, ...). */
@ConsumerType
public interface ScheduleStoreFactory {
    /** URL schemes this factory serves, lower case, without the colon. */
    Set<String> schemes();

    /** Opens a store; options come from settings, the URL's query parameters win. */
    ScheduleStore open(String url, Map<String, String> options);
}
