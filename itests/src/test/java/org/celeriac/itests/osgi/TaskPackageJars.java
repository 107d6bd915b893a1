package org.celeriac.itests.osgi;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.celeriac.task.Task;
import org.osgi.framework.Constants;

/**
 * Task packages built by the test: a bundle holding one task class (its class file, copied from the test probe)
 * and naming it in the {@code Celeriac-Tasks} header, as a task package built with bnd would.
 */
final class TaskPackageJars {

    private TaskPackageJars() {
    }

    static InputStream taskPackage(String symbolicName, String version, Class<?> taskClass) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        main.putValue(Constants.BUNDLE_SYMBOLICNAME, symbolicName);
        main.putValue(Constants.BUNDLE_VERSION, version);
        main.putValue(Constants.IMPORT_PACKAGE, "org.celeriac.task;version=\"[1.0,2)\"");
        main.putValue(Task.MANIFEST_HEADER, taskClass.getName());
        String entry = taskClass.getName().replace('.', '/') + ".class";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest);
                InputStream classFile = taskClass.getClassLoader().getResourceAsStream(entry)) {
            if (classFile == null) {
                throw new IllegalStateException(entry + " is not among the test classes");
            }
            jar.putNextEntry(new JarEntry(entry));
            classFile.transferTo(jar);
            jar.closeEntry();
        }
        return new ByteArrayInputStream(bytes.toByteArray());
    }
}
