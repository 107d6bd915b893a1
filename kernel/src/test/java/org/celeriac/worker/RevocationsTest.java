package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

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
    void stampedRevokesAreReadBackAfterARestartWhateverCharactersTheirValuesHold() {
        Path file = dir.resolve("state.db");
        String odd = "two words = one\nline break, tab\t, 100% + ünïcödé ✓ stamp 1 x";
        Revocations before = Revocations.open(file);
        before.revoke("a", false);
        before.revokeStamped("batch", 7L, false);
        before.revokeStamped("note", odd, false);

        Revocations after = Revocations.open(file);

        assertThat(after.isRevoked("a")).isTrue();
        assertThat(after.isRevoked("id", stamped("batch", 7.0))).as("a number, by value").isTrue();
        assertThat(after.isRevoked("id", stamped("note", odd))).isTrue();
        assertThat(after.isRevoked("id", stamped("note", "two words"))).isFalse();
        assertThat(after.isRevoked("id", stamped("batch", 8))).isFalse();
        assertThat(after.isRevoked("batch=7")).as("a stamp is not an id").isFalse();
    }

    @Test
    void aFileOfIdLinesAndStampLinesDropsWhatExpiredAndWhatACrashCutShort() throws Exception {
        Path file = dir.resolve("state.db");
        long old = Instant.now().minus(Revocations.EXPIRES).minusSeconds(60).toEpochMilli();
        long recent = Instant.now().minusSeconds(60).toEpochMilli();
        Files.writeString(file, recent + " id-1\n"
                + "stamp " + old + " tenant%3Dold\n"
                + "stamp " + recent + " tenant%3Dacme+corp\n"
                + "stamp nonsense\n"
                + "stamp " + recent + " broken%3\n"
                + recent + " id-2\n"
                + "stamp " + recent + " tenant%3Dacme"); // cut short: was tenant=acme-corp, say

        Revocations r = Revocations.open(file);

        assertThat(r.isRevoked("id-1")).isTrue();
        assertThat(r.isRevoked("id-2")).isTrue();
        assertThat(r.isRevoked("id", stamped("tenant", "acme corp"))).isTrue();
        assertThat(r.isRevoked("id", stamped("tenant", "old"))).as("expired").isFalse();
        assertThat(r.isRevoked("id", stamped("tenant", "acme"))).as("cut short").isFalse();
        assertThat(Files.readAllLines(file)).containsExactly(recent + " id-1", recent + " id-2",
                "stamp " + recent + " tenant%3Dacme+corp");
    }

    @Test
    void keepsAtMostTheNewestStampedRevokesAcrossARestart() {
        Path file = dir.resolve("state.db");
        Revocations r = Revocations.open(file, Duration.ofHours(1), 3);
        for (int batch = 1; batch <= 5; batch++) {
            r.revokeStamped("batch", batch, false);
        }

        Revocations again = Revocations.open(file, Duration.ofHours(1), 3);

        for (Revocations each : List.of(r, again)) {
            assertThat(each.isRevoked("id", stamped("batch", 2))).isFalse();
            assertThat(each.isRevoked("id", stamped("batch", 3))).isTrue();
            assertThat(each.isRevoked("id", stamped("batch", 5))).isTrue();
        }
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

    private static Set<String> stamped(String name, Object value) {
        return Revocations.stamps(Map.of("stamped_headers", List.of(name), "stamps", Map.of(name, value)));
    }
}
