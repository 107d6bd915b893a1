package org.celeriac.examples.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    @Test
    void runsTheShopTasksOnTheEmbeddedSqlDatabaseInTheGivenDirectory(@TempDir Path dataDir) throws Exception {
        ShopResults results = Main.run(Main.settings(dataDir, Map.of()));

        assertThat(results.invoiceTotal()).isEqualByComparingTo("47.48");
        assertThat(results.greeting()).isEqualTo("Hello, Ada!");
        assertThat(results.customGreeting()).isEqualTo("Bonjour, Ada!");
        assertThat(dataDir.resolve("celeriac.mv.db")).isRegularFile();
    }

    @Test
    void runsInMemoryWhenTheEnvironmentNamesMemoryUrls(@TempDir Path dataDir) throws Exception {
        Map<String, String> environment = Map.of(
                "CELERIAC_BROKER_URL", "memory://shop", "CELERIAC_RESULT_BACKEND", "memory://shop");

        ShopResults results = Main.run(Main.settings(dataDir, environment));

        assertThat(results.invoiceTotal()).isEqualByComparingTo("47.48");
        assertThat(results.greeting()).isEqualTo("Hello, Ada!");
        assertThat(results.customGreeting()).isEqualTo("Bonjour, Ada!");
        assertThat(dataDir).isEmptyDirectory();
    }

    @Test
    void mainKeepsTheEmbeddedDatabaseInTheDirectoryGivenAsItsArgument(@TempDir Path dataDir) throws Exception {
        // main reads the real environment, which may point elsewhere.
        assumeTrue(System.getenv("CELERIAC_BROKER_URL") == null && System.getenv("CELERIAC_RESULT_BACKEND") == null);

        Main.main(new String[] {dataDir.toString()});

        assertThat(dataDir.resolve("celeriac.mv.db")).isRegularFile();
    }
}
