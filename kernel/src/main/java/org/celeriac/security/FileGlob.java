package org.celeriac.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a pattern names, as Python's {@code glob.glob} finds them for Celery's {@code FSCertStore}: a
 * directory stands for all it holds; {@code *}, {@code ?} and {@code [...]} may appear in any part of the path and
 * match within one part; hidden names match only a pattern that starts with a dot. Only regular files, sorted.
 */
final class FileGlob {

    private FileGlob() {
    }

    static List<Path> files(String pattern) {
        Path path = Path.of(pattern);
        if (Files.isDirectory(path)) {
            path = path.resolve("*");
        }
        List<Path> current = new ArrayList<>();
        current.add(path.getRoot() == null ? Path.of("") : path.getRoot());
        for (Path element : path) {
            String part = element.toString();
            List<Path> next = new ArrayList<>();
            for (Path base : current) {
                if (!isMagic(part)) {
                    Path child = base.resolve(part);
                    if (Files.exists(child)) {
                        next.add(child);
                    }
                } else {
                    next.addAll(matches(base, part));
                }
            }
            current = next;
        }
        return current.stream().filter(Files::isRegularFile).sorted().toList();
    }

    private static List<Path> matches(Path base, String part) {
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + part);
        boolean hidden = part.startsWith(".");
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(base.toString().isEmpty() ? Path.of(".") : base)) {
            for (Path entry : entries) {
                Path name = entry.getFileName();
                if ((hidden || !name.toString().startsWith(".")) && matcher.matches(name)) {
                    out.add(base.resolve(name));
                }
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            // nothing there, as glob finds nothing
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + base + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static boolean isMagic(String part) {
        return part.indexOf('*') >= 0 || part.indexOf('?') >= 0 || part.indexOf('[') >= 0;
    }
}
