package org.celeriac.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void roundTripsJsonLikeValuesWithJacksonsNumberTypes() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("small", 7);
        value.put("big", 12345678901L);
        value.put("real", 2.5);
        value.put("list", Arrays.asList(1, null, "\u00fc", true));
        value.put("nested", Map.of("k", List.of()));
        value.put("none", null);

        Map<String, Object> read = Json.readMap(Json.write(value));

        assertThat(read).isEqualTo(value);
        assertThat(read.get("small")).isInstanceOf(Integer.class);
        assertThat(read.get("big")).isInstanceOf(Long.class);
    }

    @Test
    void emptyTextReadsAsEmptyMapAndNonObjectsAreRefused() {
        assertThat(Json.readMap(null)).isEmpty();
        assertThat(Json.readMap("")).isEmpty();
        assertThatThrownBy(() -> Json.readMap("[1]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.read("{")).isInstanceOf(IllegalArgumentException.class);
    }
}
