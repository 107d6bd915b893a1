package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UrlsTest {

    @Test
    void passwordsAreMaskedInUserInfoAndParameters() {
        assertThat(Urls.redact("redis://user:secret@host:6379/0")).isEqualTo("redis://user:**@host:6379/0");
        assertThat(Urls.redact("redis://secret@host:6379/0")).as("redis-py's password alone")
                .isEqualTo("redis://**@host:6379/0");
        assertThat(Urls.redact("jdbc:postgresql://db/celeriac?user=me&password=secret&ssl=true"))
                .isEqualTo("jdbc:postgresql://db/celeriac?user=me&password=**&ssl=true");
    }

    @Test
    void urlsWithoutPasswordsAreUnchanged() {
        assertThat(Urls.redact("sql://?visibility_timeout=2")).isEqualTo("sql://?visibility_timeout=2");
        assertThat(Urls.redact("memory://x")).isEqualTo("memory://x");
    }
}
