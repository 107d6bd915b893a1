package org.celeriac.examples.embedded;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.CeleriacClient;
import org.celeriac.config.Settings;
import org.celeriac.worker.Worker;

/**
 * Celeriac embedded in a plain Java application: one process runs a worker and a client on the broker and
 * result backend its settings name, then shuts both down.
 *
 * <pre>java -cp ... org.celeriac.examples.embedded.Main [DATA_DIR]</pre>
 *
 * By default the broker and backend are the embedded SQL database in {@code DATA_DIR} ({@code ./celeriac-data}
 * when not given). Settings are read as the {@code celeriac} command reads them, so
 * {@code CELERIAC_BROKER_URL=memory://shop CELERIAC_RESULT_BACKEND=memory://shop} runs it all in memory.
 */
public final class Main {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args.length > 0 ? args[0] : "celeriac-data");
        ShopResults results = run(settings(dataDir, System.getenv()));
        System.out.println("shop.invoice_total -> " + results.invoiceTotal());
        System.out.println("shop.greet         -> " + results.greeting());
        System.out.println("shop.greet         -> " + results.customGreeting());
    }

    /** Environment, then {@code ./celeriac.properties}, then the defaults; the embedded database in {@code dataDir}. */
    static Settings settings(Path dataDir, Map<String, String> environment) {
        // data_dir only matters to the embedded SQL database (broker_url and result_backend sql://).
        Map<String, String> explicit = Map.of(
                "broker_transport_options.data_dir", dataDir.toString(),
                "result_backend_transport_options.data_dir", dataDir.toString());
        return Settings.resolve(explicit, environment, Path.of("celeriac.properties"));
    }

    /** Starts a worker with the shop tasks, sends it some through the client, and returns what came back. */
    static ShopResults run(Settings settings) throws Exception {
        // Plugins (here the SQL transport and backend) are found on the class path by ServiceLoader.
        try (Celeriac app = Celeriac.open(settings);
             Worker worker = app.worker()) {
            app.tasks().register(ShopTasks.class);
            worker.start();

            CeleriacClient client = app.client();
            // Arguments travel as JSON, as a Python client would send them; the worker binds them to ShopTasks' types.
            AsyncResult total = client.send("shop.invoice_total",
                    List.of(List.of(lineItem("19.99", 2), lineItem("2.50", 3))), Map.of());
            AsyncResult hello = client.send("shop.greet", List.of("Ada"), Map.of());
            AsyncResult bonjour = client.send("shop.greet", List.of("Ada"), Map.of("greeting", "Bonjour"));

            // Results come back as JSON values: the total as a JSON number (a Double), the greetings as strings.
            return new ShopResults(new BigDecimal(total.get(TIMEOUT).toString()),
                    (String) hello.get(TIMEOUT), (String) bonjour.get(TIMEOUT));
        } // closing stops the worker (running tasks finish), then closes the broker and backend
    }

    private static Map<String, Object> lineItem(String price, int qty) {
        return Map.of("price", new BigDecimal(price), "qty", qty);
    }
}
