package org.celeriac.spi.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

class EventFieldsTest {

    @Test
    void keepsTheOrderGivenAndNullValues() {
        EventFields f = EventFields.of("uuid", "u1", "eta", null, "retries", 0);

        assertThat(f.keySet()).containsExactly("uuid", "eta", "retries");
        assertThat(f).containsEntry("eta", null).containsEntry("retries", 0).hasSize(3);
        assertThat(f.containsKey("eta")).isTrue();
        assertThat(f.containsKey("expires")).isFalse();
        assertThat(f.get("expires")).isNull();
    }

    @Test
    void aNameGivenTwiceKeepsItsFirstPlaceAndLastValue() {
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", 3);
        expected.put("b", 2);

        EventFields f = EventFields.of("a", 1, "b", 2, "a", 3);

        assertThat(f).isEqualTo(expected);
        assertThat(f.keySet()).containsExactly("a", "b");
        assertThat(f.hashCode()).isEqualTo(expected.hashCode());
    }

    @Test
    void isNotChangedByTheArrayItWasMadeFrom() {
        Object[] given = {"uuid", "u1"};
        EventFields f = EventFields.of(given);

        given[1] = "u2";

        assertThat(f.get("uuid")).isEqualTo("u1");
        assertThatThrownBy(() -> f.put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> f.entrySet().iterator().next().setValue(1))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void refusesNamesWithoutValuesAndNamesThatAreNotStrings() {
        assertThatThrownBy(() -> EventFields.of("uuid")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("do not pair up");
        assertThatThrownBy(() -> EventFields.of(1, "x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a string");
    }

    @Test
    void anEventCopiesAMapButNotFieldsItIsGiven() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("uuid", "u1");
        Event fromMap = new Event("task-started", map);
        map.put("uuid", "u2");
        EventFields fields = EventFields.of("uuid", "u3");

        assertThat(fromMap.fields()).containsExactly(Map.entry("uuid", "u1"));
        assertThat(new Event("task-started", fields).fields()).isSameAs(fields);
        assertThat(new Event("worker-online", null).fields()).isEmpty();
    }
}
