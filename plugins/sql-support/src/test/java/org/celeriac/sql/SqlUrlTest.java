package org.celeriac.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SqlUrlTest {

    private static final String DEFAULT = "jdbc:h2:file:./celeriac-data/celeriac;AUTO_SERVER=TRUE;WRITE_DELAY=0";

    @Test
    void bareSqlSchemeMeansTheEmbeddedDatabaseUnderTheWorkingDirectory() {
        for (String url : new String[] {"sql:", "sql://", "sql:default", "sql://default", "SQL:"}) {
            assertThat(SqlUrl.parse(url, Map.of()).jdbcUrl()).as(url).isEqualTo(DEFAULT);
        }
    }

    @Test
    void dataDirMovesTheEmbeddedDatabase() {
        assertThat(SqlUrl.parse("sql:", Map.of("data_dir", "/var/lib/celeriac")).jdbcUrl())
                .isEqualTo("jdbc:h2:file:/var/lib/celeriac/celeriac;AUTO_SERVER=TRUE;WRITE_DELAY=0");
        assertThat(SqlUrl.parse("sql://?data_dir=state", Map.of()).jdbcUrl())
                .isEqualTo("jdbc:h2:file:./state/celeriac;AUTO_SERVER=TRUE;WRITE_DELAY=0");
    }

    @Test
    void fileFormNamesTheH2DatabasePath() {
        assertThat(SqlUrl.parse("sql:file:/tmp/x/broker", null).jdbcUrl())
                .isEqualTo("jdbc:h2:file:/tmp/x/broker;AUTO_SERVER=TRUE;WRITE_DELAY=0");
        assertThat(SqlUrl.parse("sql:file:relative/broker", null).jdbcUrl())
                .isEqualTo("jdbc:h2:file:./relative/broker;AUTO_SERVER=TRUE;WRITE_DELAY=0");
    }

    @Test
    void urlQueryOptionsWinOverSettings() {
        SqlUrl url = SqlUrl.parse("sql:?visibility_timeout=2&polling_interval=0.25",
                Map.of("visibility_timeout", "30", "other", "x"));

        assertThat(url.jdbcUrl()).isEqualTo(DEFAULT);
        assertThat(url.options()).containsEntry("visibility_timeout", "2").containsEntry("other", "x");
        assertThat(url.seconds("visibility_timeout", Duration.ZERO)).isEqualTo(Duration.ofSeconds(2));
        assertThat(url.seconds("polling_interval", Duration.ZERO)).isEqualTo(Duration.ofMillis(250));
        assertThat(url.seconds("absent", Duration.ofMinutes(1))).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void jdbcUrlKeepsDriverParametersAndGivesUpCeleriacOptions() {
        SqlUrl url = SqlUrl.parse("jdbc:postgresql://127.0.0.1:5432/db?user=u&visibility_timeout=5&password=p%26q",
                Map.of());

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/db?user=u&password=p%26q");
        assertThat(url.options()).containsEntry("visibility_timeout", "5");
        assertThat(url.dialect()).isEqualTo(Dialect.POSTGRESQL);
        assertThat(url.toString()).doesNotContain("p%26q");
    }

    @Test
    void jdbcH2UrlIsUsedAsIs() {
        String h2 = "jdbc:h2:file:/tmp/db;AUTO_SERVER=TRUE";
        assertThat(SqlUrl.parse(h2, Map.of()).jdbcUrl()).isEqualTo(h2);
        assertThat(SqlUrl.parse(h2 + "?polling_interval=1", Map.of()).jdbcUrl()).isEqualTo(h2);
    }

    @Test
    void rejectsOtherUrlsAndBadNumbers() {
        assertThatThrownBy(() -> SqlUrl.parse("redis://localhost", Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlUrl.parse("jdbc:mysql://h/db", Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlUrl.parse("sql:mem:x", Map.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SqlUrl.parse("sql:file:/x;MODE=MySQL", Map.of())).isInstanceOf(IllegalArgumentException.class);
        SqlUrl url = SqlUrl.parse("sql:?visibility_timeout=soon&polling_interval=-1", Map.of());
        assertThatThrownBy(() -> url.seconds("visibility_timeout", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> url.seconds("polling_interval", Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void redactsPasswords() {
        assertThat(SqlUrl.redact("jdbc:postgresql://h/db?user=u&password=secret&ssl=true"))
                .isEqualTo("jdbc:postgresql://h/db?user=u&password=***&ssl=true");
        assertThat(SqlUrl.redact("jdbc:postgresql://u:secret@h/db")).isEqualTo("jdbc:postgresql://u:***@h/db");
    }

    @Test
    void passesTheDriversTlsParametersThroughAndRedactsOnlyTheKeysPassword() {
        String tls = "jdbc:postgresql://db:5432/celeriac?user=u&sslmode=verify-full&sslrootcert=/etc/ca%20dir/ca.pem"
                + "&sslcert=/c.pem&sslkey=/c.pk8&sslpassword=k3y";

        SqlUrl url = SqlUrl.parse(tls + "&polling_interval=0.5", Map.of());

        assertThat(url.jdbcUrl()).as("Celeriac's option taken out, the driver's left as given").isEqualTo(tls);
        assertThat(SqlUrl.redact(tls)).isEqualTo("jdbc:postgresql://db:5432/celeriac?user=u&sslmode=verify-full"
                + "&sslrootcert=/etc/ca%20dir/ca.pem&sslcert=/c.pem&sslkey=/c.pk8&sslpassword=***");
    }
}
