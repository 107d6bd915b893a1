package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Revokes kept in a state file: what survives a restart, what is pruned. */
class RevocationsTest {

    @TempDir
    Path dir;

    @Test
    void revokesAreReadBackAfterARestart() {
        Path file = dir.resolve("state.db");
        Revocations before = Revocations.open(file);
        before.revoke("a", false);
        before.revoke("b", false);

        Revocations after = Revocations.open(file);

        assertThat(after.isRevoked("a")).isTrue();
        assertThat(after.isRevoked("b")).isTrue();
        assertThat(after.isRevoked("c")).isFalse();
    }

    @Test
    void expiredRevokesAndDamagedLinesAreDroppedWhenTheFileIsOpened() throws Exception {
        Path file = dir.resolve("state.db");
        long old = Instant.now().minus(Revocations.EXPIRES).minusSeconds(60).toEpochMilli();
        long recent = Instant.now().minusSeconds(60).toEpochMilli();
        Files.writeString(file, old + " old\n" + recent + " recent\nnonsense\n" + recent + " cut-sh");

        Revocations r = Revocations.open(file);

        assertThat(r.isRevoked("old")).isFalse();
        assertThat(r.isRevoked("recent")).isTrue();
        assertThat(r.size()).isEqualTo(2); // "cut-sh" too: an id cannot be told from a cut one
        assertThat(Files.readAllLines(file)).hasSize(2);
    }

    @Test
    void keepsAtMostTheNewestRevokes() {
        Revocations r = Revocations.open(dir.resolve("state.db"), Duration.ofHours(1), 3);
        for (String id : List.of("1", "2", "3", "4", "5")) {
            r.revoke(id, false);
        }

        assertThat(r.size()).isEqualTo(3);
        assertThat(r.isRevoked("2")).isFalse();
        assertThat(r.isRevoked("5")).isTrue();
        assertThat(Revocations.open(dir.resolve("state.db"), Duration.ofHours(1), 3).size()).isEqualTo(3);
    }

    @Test
    void stampsAreReadAsCelery53WritesThemAndMatchedByValue() {
        Revocations r = Revocations.inMemory();
        r.revokeStamped("batch", 7L, false);
        r.revokeStamped("tenant", "acme", false);

        assertThat(r.isRevoked("id", Revocations.stamps(Map.of("stamped_headers", List.of("batch"),
                "stamps", Map.of("batch", List.of(1, 7)))))).as("list stamp holding the value").isTrue();
        assertThat(r.isRevoked("id", Revocations.stamps(Map.of("stamped_headers", List.of("tenant"),
                "tenant", "acme")))).as("stamp as a header of its own").isTrue();
        assertThat(r.isRevoked("id", Revocations.stamps(Map.of("stamped_headers", List.of("batch"),
                "stamps", Map.of("batch", 7.0))))).as("number of another type").isTrue();
        assertThat(r.isRevoked("id", Revocations.stamps(Map.of("stamped_headers", List.of("batch"),
                "stamps", Map.of("batch", 8))))).isFalse();
        assertThat(r.isRevoked("id", Revocations.stamps(Map.of("batch", 7)))).as("not a stamped header").isFalse();
        assertThat(r.isRevoked("id")).isFalse();
    }
}
