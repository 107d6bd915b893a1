package org.celeriac.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.celeriac.task.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Task packages given with {@code --tasks}: jars, or directories of jars, in one class loader. */
final class TaskJars implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskJars.class);

    private final URLClassLoader loader;

    private TaskJars(URLClassLoader loader) {
        this.loader = loader;
    }

    /**
     * @param paths  jar files and directories holding jar files
     * @param parent the class loader the tasks' dependencies (the task API, the JDK) come from
     * @throws IllegalArgumentException when a path does not exist or a directory holds no jar
     */
    static TaskJars open(List<Path> paths, ClassLoader parent) {
        List<Path> jars = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                List<Path> inDir = jarsIn(p);
                if (inDir.isEmpty()) {
                    throw new IllegalArgumentException("--tasks: no .jar files in directory " + p);
                }
                jars.addAll(inDir);
            } else if (Files.isRegularFile(p)) {
                jars.add(p);
            } else {
                throw new IllegalArgumentException("--tasks: no such file or directory: " + p);
            }
        }
        jars.forEach(TaskJars::warnWithoutTasksHeader);
        URLClassLoader loader = jars.isEmpty() ? null
                : new URLClassLoader("celeriac-tasks", jars.stream().map(TaskJars::url).toArray(URL[]::new), parent);
        return new TaskJars(loader);
    }

    /** The loader of the task packages, empty when none were given. */
    Optional<ClassLoader> loader() {
        return Optional.ofNullable(loader);
    }

    @Override
    public void close() throws IOException {
        if (loader != null) {
            loader.close();
        }
    }

    private static List<Path> jarsIn(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jar") && Files.isRegularFile(f)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /** A jar without the header registers nothing; say so rather than leave the user wondering. */
    private static void warnWithoutTasksHeader(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            if (manifest == null || manifest.getMainAttributes().getValue(Task.MANIFEST_HEADER) == null) {
                LOG.warn("{} has no {} manifest header: no tasks are registered from it", jar, Task.MANIFEST_HEADER);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("--tasks: " + jar + " is not a readable jar: " + e.getMessage(), e);
        }
    }

    private static URL url(Path jar) {
        try {
            return jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new IllegalArgumentException("--tasks: " + jar + ": " + e.getMessage(), e);
        }
    }
}
