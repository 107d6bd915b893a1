package org.celeriac.examples.embedded;

import java.math.BigDecimal;

/** What {@link Main#run} got back from the worker. */
record ShopResults(BigDecimal invoiceTotal, String greeting, String customGreeting) {
}
