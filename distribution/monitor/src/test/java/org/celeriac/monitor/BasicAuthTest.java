package org.celeriac.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class BasicAuthTest {

    private static String header(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void severalUsersSeparatedByCommasAreEachLetIn() {
        BasicAuth auth = BasicAuth.of("admin:s3cret,ops:0ther");

        assertThat(auth.accepts(header("admin:s3cret"))).isTrue();
        assertThat(auth.accepts(header("ops:0ther"))).isTrue();
        assertThat(auth.accepts(header("admin:0ther"))).isFalse();
        assertThat(auth.accepts(null)).isFalse();
    }

    @Test
    void withoutUsersEveryoneIsLetIn() {
        assertThat(BasicAuth.of(null).accepts(null)).isTrue();
    }

    @Test
    void anEntryWithoutAPasswordIsRefused() {
        assertThatThrownBy(() -> BasicAuth.of("admin:s3cret,ops")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("USER:PASSWORD");
    }
}
