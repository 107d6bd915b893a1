package org.celeriac.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

class FrameworkPropertiesTest {

    @Test
    void fileInstallWatchesDeployAndEtcWithoutWritingBackAndTheCacheIsUnderData() {
        ContainerHome home = new ContainerHome(Path.of("/srv/celeriac"), Path.of("/opt/celeriac/lib/bundles"));

        Map<String, Object> p = FrameworkProperties.of(home);

        assertThat(p).containsEntry("felix.fileinstall.dir", "/srv/celeriac/deploy,/srv/celeriac/etc")
                .containsEntry("felix.fileinstall.enableConfigSave", "false")
                .containsEntry("felix.fileinstall.bundles.new.start", "true")
                .containsEntry("org.osgi.framework.storage", "/srv/celeriac/data/cache")
                .containsEntry("org.osgi.framework.storage.clean", "onFirstInit")
                .containsEntry("celeriac.home", "/srv/celeriac");
        assertThat(p.get("org.osgi.framework.system.packages.extra")).asString().contains("org.slf4j;");
    }

    @Test
    void theFrameworkExportsTheJdkHttpServerForTheMonitorBundle() {
        ContainerHome home = new ContainerHome(Path.of("/srv/celeriac"), Path.of("/opt/celeriac/lib/bundles"));

        assertThat(FrameworkProperties.of(home).get("org.osgi.framework.system.packages.extra")).asString()
                .contains(",com.sun.net.httpserver");
    }

    @Test
    void aHomeWithACommaInItsPathIsRefusedSinceFileInstallSplitsOnCommas() {
        ContainerHome home = new ContainerHome(Path.of("/srv/a,b"), Path.of("/opt/celeriac/lib/bundles"));

        assertThatThrownBy(() -> FrameworkProperties.of(home)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("comma");
    }
}
