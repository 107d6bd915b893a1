package org.celeriac.container;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * {@code etc/org.celeriac.cfg}: Celeriac's configuration in a container's home (configuration {@code org.celeriac},
 * Celery's setting names as keys), which FileInstall reads into Config Admin.
 */
public final class CeleriacConfig {
    /** The shipped file, a resource beside this class; the installation's {@code etc/} holds the same file. */
    static final String TEMPLATE = "org.celeriac.cfg";
    /** The shipped configuration of the monitor bundle (org.celeriac.monitor), beside it likewise. */
    static final String MONITOR_TEMPLATE = "org.celeriac.monitor.cfg";

    private CeleriacConfig() {
    }

    /**
     * The shipped file: what {@code celeriac container} writes into a new home.
     *
     * @throws IllegalStateException when it is missing from the class path
     */
    public static String template() {
        return shipped(TEMPLATE);
    }

    /** A shipped {@code etc/} file by name: a resource beside this class. */
    static String shipped(String name) {
        try (InputStream in = CeleriacConfig.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the default " + name + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the default " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * The settings the home's file sets, as the container's runtime gets them: keys in lower case,
     * {@code ${celeriac.home}} replaced by the home directory. Empty when there is no such file; the runtime
     * then runs on the defaults.
     *
     * @throws UncheckedIOException when the file exists but cannot be read
     */
    public static Map<String, String> read(ContainerHome home) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(home.celeriacConfig(), StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + home.celeriacConfig() + ": " + e.getMessage(), e);
        }
        Map<String, String> settings = new TreeMap<>();
        String homeVariable = "${" + FrameworkProperties.HOME + "}";
        for (String key : p.stringPropertyNames()) {
            settings.put(key.trim().toLowerCase(Locale.ROOT),
                    p.getProperty(key).trim().replace(homeVariable, home.dir().toString()));
        }
        return settings;
    }
}
