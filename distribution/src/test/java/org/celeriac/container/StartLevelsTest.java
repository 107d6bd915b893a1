package org.celeriac.container;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StartLevelsTest {

    @Test
    void configurationIsReadBeforeCeleriacStartsAndTheKernelStartsAfterItsPlugins() {
        assertThat(StartLevels.of("org.apache.felix.configadmin"))
                .isLessThan(StartLevels.of("org.apache.felix.scr"));
        assertThat(StartLevels.of("org.apache.felix.scr")).isEqualTo(StartLevels.of("org.osgi.util.promise"))
                .isLessThan(StartLevels.of("org.apache.felix.fileinstall"));
        assertThat(StartLevels.of("org.apache.felix.fileinstall"))
                .isLessThan(StartLevels.of("org.celeriac.transport.sql"));
        assertThat(StartLevels.of("org.celeriac.transport.sql")).isEqualTo(StartLevels.of("com.h2database"))
                .isLessThan(StartLevels.of("org.celeriac.kernel"));
        assertThat(StartLevels.of("org.celeriac.kernel")).isLessThan(StartLevels.DEPLOYED);
    }
}
