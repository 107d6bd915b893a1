package org.celeriac.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HomeDirectoriesTest {

    @TempDir
    Path dir;

    @Test
    void aNewHomeGetsTheConfigurationItIsGivenWhichReadsBackWithTheHomeInPlaceOfItsVariable() throws Exception {
        ContainerHome home = new ContainerHome(dir.resolve("home"), dir.resolve("bundles"));

        HomeDirectories.prepare(home, "# given\nBroker_URL = sql:file:${celeriac.home}/db\nworker_concurrency = 2 \n");

        assertThat(home.celeriacConfig()).content().startsWith("# given\n");
        assertThat(home.etc().resolve("org.celeriac.monitor.cfg")).content().contains("\nenabled = false\n");
        assertThat(CeleriacConfig.read(home)).containsEntry("broker_url", "sql:file:" + home.dir() + "/db")
                .containsEntry("worker_concurrency", "2").hasSize(2);
        assertThat(home.log()).isDirectory();
    }

    @Test
    void anExistingHomeKeepsItsConfigurationAndOneWithoutAFileReadsAsNoSettings() throws Exception {
        ContainerHome home = new ContainerHome(dir.resolve("home"), dir.resolve("bundles"));
        Files.createDirectories(home.etc());
        Files.createDirectories(home.deploy());

        HomeDirectories.prepare(home, "broker_url = memory://new\n");

        assertThat(home.celeriacConfig()).doesNotExist();
        assertThat(CeleriacConfig.read(home)).isEmpty();
    }

    @Test
    void theShippedTemplateNamesTheEmbeddedDatabaseUnderTheHomesDataDirectory() {
        assertThat(CeleriacConfig.template()).contains("broker_url = sql:file:${celeriac.home}/data/celeriac-data/celeriac\n")
                .contains("result_backend = sql:file:${celeriac.home}/data/celeriac-data/celeriac\n");
    }
}
