package org.celeriac.container;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Bundles made by the tests: a jar holding nothing but a manifest. */
final class BundleJars {

    private BundleJars() {
    }

    /**
     * Writes a bundle jar to {@code target} at once, as a finished file appears: written one directory up
     * (outside the watched one), then moved, so a directory watcher never sees half a jar.
     */
    static void write(Path target, String symbolicName, String version, Map<String, String> moreHeaders)
            throws IOException {
        Manifest manifest = new Manifest();
        Attributes headers = manifest.getMainAttributes();
        headers.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.putValue("Bundle-ManifestVersion", "2");
        headers.putValue("Bundle-SymbolicName", symbolicName);
        headers.putValue("Bundle-Version", version);
        moreHeaders.forEach(headers::putValue);
        Path staged = Files.createTempFile(target.getParent().getParent(), "staged-", ".tmp");
        try (OutputStream out = Files.newOutputStream(staged); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
        Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
