package org.celeriac.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.rabbitmq.client.impl.LongStringHelper;

class FieldValuesTest {

    @Test
    void convertsValuesAnAmqpTableCannotCarry() {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("small", BigInteger.valueOf(7));
        in.put("huge", BigInteger.ONE.shiftLeft(70));
        in.put("array", new Object[] {1, null});
        in.put("other", java.time.Duration.ofSeconds(1));
        in.put("nested", Map.of("k", List.of(Map.of(1, "x"))));

        Map<String, Object> out = FieldValues.toTable(in);

        assertThat(out.get("small")).isEqualTo(7L);
        assertThat(out.get("huge")).isEqualTo(new java.math.BigDecimal(BigInteger.ONE.shiftLeft(70)));
        assertThat(out.get("array")).isEqualTo(Arrays.asList(1, null));
        assertThat(out.get("other")).isEqualTo("PT1S");
        assertThat(out.get("nested")).isEqualTo(Map.of("k", List.of(Map.of("1", "x"))));
    }

    @Test
    void readsLongStringsAsStringsAtAnyDepth() {
        Map<String, Object> table = new LinkedHashMap<>();
        table.put("s", LongStringHelper.asLongString("v"));
        table.put("list", List.of(LongStringHelper.asLongString("a"), 1));
        table.put("map", Map.of("k", LongStringHelper.asLongString("b")));

        assertThat(FieldValues.fromTable(table))
                .isEqualTo(Map.of("s", "v", "list", List.of("a", 1), "map", Map.of("k", "b")));
    }
}
