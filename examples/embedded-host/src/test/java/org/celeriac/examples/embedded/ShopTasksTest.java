package org.celeriac.examples.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

import org.celeriac.examples.embedded.ShopTasks.LineItem;
import org.junit.jupiter.api.Test;

class ShopTasksTest {

    private final ShopTasks tasks = new ShopTasks();

    @Test
    void invoiceTotalSumsPriceTimesQuantityExactly() {
        List<LineItem> items = List.of(new LineItem(new BigDecimal("0.10"), 3), new LineItem(new BigDecimal("0.20"), 1));

        assertThat(tasks.invoiceTotal(items)).isEqualByComparingTo("0.50");
    }

    @Test
    void invoiceTotalOfNoItemsIsZero() {
        assertThat(tasks.invoiceTotal(List.of())).isEqualByComparingTo("0");
    }

    @Test
    void greetSaysHelloUnlessGivenAnotherGreeting() {
        assertThat(tasks.greet("Ada", Optional.empty())).isEqualTo("Hello, Ada!");
        assertThat(tasks.greet("Ada", Optional.of("Bonjour"))).isEqualTo("Bonjour, Ada!");
    }
}
