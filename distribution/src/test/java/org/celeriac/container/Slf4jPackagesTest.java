package org.celeriac.container;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Slf4jPackagesTest {

    @Test
    void exportsTheClassPathsSlf4jAtItsVersionAndAt17ForOlderLibraries() {
        String exports = Slf4jPackages.exportedByClassPath();

        String version = org.slf4j.LoggerFactory.class.getPackage().getImplementationVersion();
        assertThat(exports).contains("org.slf4j;", "org.slf4j.spi;", "org.slf4j.event;", "org.slf4j.helpers;")
                .contains("version=\"" + version + "\"").contains("version=\"1.7.36\"");
    }
}
