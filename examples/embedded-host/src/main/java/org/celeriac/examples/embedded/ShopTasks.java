package org.celeriac.examples.embedded;

import java.math.BigDecimal;
import java.util.List;
import java.util.Optional;

import org.celeriac.task.Task;

/**
 * The application's own tasks. Public, with public methods and a public no-argument constructor: the
 * kernel finds and calls tasks through public reflection only.
 */
public class ShopTasks {

    /** One invoice line. JSON objects such as {@code {"price": 19.99, "qty": 2}} bind to it by field name. */
    public record LineItem(BigDecimal price, int qty) {
    }

    @Task(name = "shop.invoice_total")
    public BigDecimal invoiceTotal(List<LineItem> items) {
        return items.stream()
                .map(item -> item.price().multiply(BigDecimal.valueOf(item.qty())))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
    }

    /** {@code greeting} may be left out, by position or by name, as a Python default argument. */
    @Task(name = "shop.greet")
    public String greet(String name, Optional<String> greeting) {
        return greeting.orElse("Hello") + ", " + name + "!";
    }
}
