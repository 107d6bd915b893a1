package org.celeriac.beat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.celeriac.spi.beat.ScheduleStore;
import org.celeriac.spi.beat.ScheduleStoreException;
import org.celeriac.spi.beat.ScheduleStoreFactory;
import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Opens {@link FileScheduleStore}s for {@code file:} URLs: {@code file:celeriac-data/beat-schedule.json} (relative to
 * the working directory, the default store) or {@code file:///abs/path}. It reads no options. The directory is
 * created when missing.
 *
 * <p>Found through {@code META-INF/services} on a class path, and as a Declarative Services component in OSGi.
 */
@Component(service = ScheduleStoreFactory.class)
public final class FileScheduleStoreFactory implements ScheduleStoreFactory {

    /** The store beat uses unless told otherwise. */
    public static final String DEFAULT_URL = "file:celeriac-data/beat-schedule.json";

    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public Set<String> schemes() {
        return Set.of("file");
    }

    @Override
    public ScheduleStore open(String url, Map<String, String> options) {
        Path file = pathOf(url);
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new ScheduleStoreException("Cannot create the directory of the schedule store " + file + ": "
                    + e.getMessage(), e);
        }
        return new FileScheduleStore(file, Clock.systemUTC(), mapper);
    }

    /**
     * The absolute path a {@code file:} URL names: {@code file://} and {@code file:/} URLs as URIs (percent-encoded,
     * no host but localhost), anything else after {@code file:} as a path relative to the working directory.
     *
     * @throws IllegalArgumentException when it names none
     */
    static Path pathOf(String url) {
        if (url == null || !url.toLowerCase(Locale.ROOT).startsWith("file:") || url.length() == "file:".length()) {
            throw new IllegalArgumentException("Not a schedule file URL (file:PATH or file:///PATH): " + url);
        }
        String rest = url.substring("file:".length());
        Path path;
        try {
            if (rest.startsWith("//localhost/")) {
                path = Path.of(URI.create("file://" + rest.substring("//localhost".length())));
            } else if (rest.startsWith("/")) {
                path = Path.of(URI.create("file:" + rest));
            } else {
                path = Path.of(rest);
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Not a schedule file URL (file:PATH or file:///PATH): " + url
                    + " (" + e.getMessage() + ")", e);
        }
        if (path.getFileName() == null || rest.endsWith("/")) {
            throw new IllegalArgumentException("A schedule file URL names a file, not a directory: " + url);
        }
        return path.toAbsolutePath().normalize();
    }
}
