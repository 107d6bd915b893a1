package org.celeriac.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Passwords masked in URLs as Celery and Flower show them, and in the forms only Celeriac reads. */
class UrlPasswordsTest {

    @Test
    void masksThePasswordOfTheUserInfoAsKombu() {
        assertThat(UrlPasswords.mask("amqp://guest:guest@rabbit:5672//")).isEqualTo("amqp://guest:**@rabbit:5672//");
        assertThat(UrlPasswords.mask("redis://:p@ss@redis:6379/0")).isEqualTo("redis://:**@redis:6379/0");
        assertThat(UrlPasswords.mask("redis://celeriac:s3cret@h:1/1")).isEqualTo("redis://celeriac:**@h:1/1");
        assertThat(UrlPasswords.mask("sqs://AKIA:se%2Fcret@")).isEqualTo("sqs://AKIA:**@");
    }

    @Test
    void masksRedisPyPasswordWithoutUser() {
        assertThat(UrlPasswords.mask("redis://s3cret-Pa55@127.0.0.1:6379/0")).isEqualTo("redis://**@127.0.0.1:6379/0");
        assertThat(UrlPasswords.mask("rediss://s3cret@h/0?ssl_cert_reqs=required"))
                .isEqualTo("rediss://**@h/0?ssl_cert_reqs=required");
        assertThat(UrlPasswords.mask("redis://p@ss@h/0")).isEqualTo("redis://**@h/0");
        assertThat(UrlPasswords.mask("amqp://guest@h//")).as("a user name alone, not a password")
                .isEqualTo("amqp://guest@h//");
    }

    @Test
    void masksPasswordParametersAndKeepsTheOthers() {
        assertThat(UrlPasswords.mask("jdbc:postgresql://db/c?user=me&password=s3cret&sslmode=verify-full"
                + "&sslrootcert=/ca.pem&sslpassword=k3y"))
                .isEqualTo("jdbc:postgresql://db/c?user=me&password=**&sslmode=verify-full&sslrootcert=/ca.pem"
                        + "&sslpassword=**");
    }

    @Test
    void masksEveryUrlOfAText() {
        assertThat(UrlPasswords.mask("--broker 'redis://pw@h/0' --backend 'redis://u:pw@h/1'"))
                .isEqualTo("--broker 'redis://**@h/0' --backend 'redis://u:**@h/1'");
        assertThat(UrlPasswords.mask("celery")).isEqualTo("celery");
        assertThat(UrlPasswords.mask(null)).isNull();
    }
}
