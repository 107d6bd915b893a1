package org.celeriac.examples.template;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.jar.Attributes;
import java.util.jar.Manifest;

import org.celeriac.task.Task;
import org.junit.jupiter.api.Test;

/**
 * The manifest bnd wrote (before it goes into the jar) is what a worker reads: this catches a task class
 * renamed without updating {@code bnd.bnd}, or a task a worker could not call.
 */
class ManifestTest {

    private final Attributes manifest = readManifest();

    @Test
    void everyClassNamedInCeleriacTasksHasPublicTaskMethodsAWorkerCanCall() throws Exception {
        String header = manifest.getValue(Task.MANIFEST_HEADER);
        assertThat(header).as(Task.MANIFEST_HEADER + " in bnd.bnd").isNotBlank();

        for (String className : header.split(",")) {
            Class<?> type = Class.forName(className.trim());
            assertThat(Modifier.isPublic(type.getModifiers())).as(type + " is public").isTrue();
            assertThat(type.getConstructor()).as(type + " has a public no-argument constructor").isNotNull();
            assertThat(Arrays.stream(type.getMethods()).filter(m -> m.isAnnotationPresent(Task.class)))
                    .as(type + " has public @Task methods").isNotEmpty()
                    .allSatisfy(ManifestTest::hasParameterNames);
        }
    }

    @Test
    void importsTheTaskApiWithAVersionRangeAndExportsNothing() {
        assertThat(manifest.getValue("Import-Package")).contains("org.celeriac.task;version=\"[1.");
        assertThat(manifest.getValue("Export-Package")).isNull();
    }

    /** Without -parameters, keyword arguments cannot reach the method. */
    private static void hasParameterNames(Method method) {
        assertThat(method.getParameters()).allSatisfy(p -> assertThat(p.isNamePresent()).isTrue());
    }

    private static Attributes readManifest() {
        try {
            Path classes = Path.of(HelloTasks.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            try (InputStream in = Files.newInputStream(classes.resolve("META-INF/MANIFEST.MF"))) {
                return new Manifest(in).getMainAttributes();
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("no manifest in the compiled classes: is bnd.bnd there?", e);
        }
    }
}
