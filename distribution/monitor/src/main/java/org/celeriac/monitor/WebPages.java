package org.celeriac.monitor;

import static org.celeriac.monitor.HttpReplies.send;
import static org.celeriac.monitor.HttpReplies.sendJson;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;

/**
 * The monitor's HTML pages, at Flower's paths: {@code /} and {@code /workers} (the dashboard), {@code /worker/NAME},
 * {@code /tasks}, {@code /task/ID} and {@code /broker}; their scripts and style sheet under {@code /static/}; and the
 * JSON the pages need beyond Flower's API: {@code /api/stats/timeseries} ({@link TaskTimeSeries}),
 * {@code /api/task/canvas/ID} (a task's workflow) and {@code /api/broker} (its URL, the password masked). Each page is the shared layout (the nav bar) around a fragment of its own, all resources in
 * {@code web/} beside this class; the pages fill themselves in from the API and {@link LiveFeed}, so no data is
 * written into the HTML here.
 */
final class WebPages {
    private static final String CANVAS = "/api/task/canvas/";
    private static final Pattern STATIC = Pattern.compile("/static/[a-z0-9-]+\\.(css|js|svg)");
    private static final Map<String, String> TYPES = Map.of("css", "text/css; charset=UTF-8",
            "js", "text/javascript; charset=UTF-8", "svg", "image/svg+xml", "html", "text/html; charset=UTF-8");

    private final ClusterState state;
    private final TaskTimeSeries series;
    private final String brokerUrl;
    private final Map<String, byte[]> resources = new ConcurrentHashMap<>();

    /** @param brokerUrl the broker followed, shown with its password masked */
    WebPages(ClusterState state, TaskTimeSeries series, String brokerUrl) {
        this.state = state;
        this.series = series;
        this.brokerUrl = brokerUrl;
    }

    /** Whether a GET of {@code path} is one of these. */
    boolean serves(String path) {
        return page(path) != null || STATIC.matcher(path).matches() || path.equals("/api/stats/timeseries")
                || path.equals("/api/broker") || path.startsWith(CANVAS);
    }

    void serve(HttpExchange exchange, String path, Map<String, String> q) throws IOException {
        String page = page(path);
        if (page != null) {
            send(exchange, 200, TYPES.get("html"), html(page));
        } else if (path.equals("/api/stats/timeseries")) {
            int seconds;
            try {
                seconds = q.get("seconds") == null ? 300 : Integer.parseInt(q.get("seconds"));
            } catch (NumberFormatException e) {
                sendJson(exchange, 400, Map.of("error", "seconds must be a whole number"));
                return;
            }
            String name = q.get("taskname") == null || q.get("taskname").isBlank() ? null : q.get("taskname");
            sendJson(exchange, 200, series.snapshot(seconds, name));
        } else if (path.startsWith(CANVAS)) {
            sendJson(exchange, 200, canvas(path.substring(CANVAS.length())));
        } else if (path.equals("/api/broker")) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("url", masked(brokerUrl));
            out.put("transport", brokerUrl == null || brokerUrl.indexOf(':') < 0 ? null
                    : brokerUrl.substring(0, brokerUrl.indexOf(':')));
            sendJson(exchange, 200, out);
        } else {
            String file = path.substring("/static/".length());
            byte[] body = resource(file);
            if (body == null) {
                sendJson(exchange, 404, Map.of("error", "Not Found"));
                return;
            }
            exchange.getResponseHeaders().set("Cache-Control", "max-age=60");
            send(exchange, 200, TYPES.get(file.substring(file.lastIndexOf('.') + 1)), body);
        }
    }

    /**
     * A task's workflow as far as the events tell it: {@code {"root": ID, "tasks": [task, ...]}}, the tasks being the
     * root and those that name it their root, each as {@code /api/task/info} shows it with its {@code parent_id}.
     */
    Map<String, Object> canvas(String id) {
        String root = state.task(id).map(t -> t.get("root_id") instanceof String r ? r : id).orElse(id);
        List<Map<String, Object>> family = new ArrayList<>();
        for (Map<String, Object> t : state.tasks(ClusterState.TaskQuery.all())) {
            if (root.equals(t.get("uuid")) || root.equals(t.get("root_id"))) {
                family.add(t);
            }
        }
        family.sort(Comparator.comparingDouble(
                (Map<String, Object> t) -> t.get("timestamp") instanceof Number n ? n.doubleValue() : 0.0));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("root", root);
        out.put("tasks", family);
        return out;
    }

    /** The page a path shows, or null. */
    static String page(String path) {
        if (path.equals("/") || path.equals("/workers") || path.equals("/dashboard")) {
            return "dashboard";
        } else if (path.equals("/tasks")) {
            return "tasks";
        } else if (path.equals("/broker")) {
            return "broker";
        } else if (path.startsWith("/worker/") && path.length() > "/worker/".length()) {
            return "worker";
        } else if (path.startsWith("/task/") && path.length() > "/task/".length()) {
            return "task";
        }
        return null;
    }

    /** The layout with the page's fragment and script in it. */
    private byte[] html(String page) {
        byte[] cached = resources.get("page:" + page);
        if (cached != null) {
            return cached;
        }
        String layout = text("layout.html");
        String fragment = text(page + ".html");
        String title = fragment.lines().findFirst().orElse("").replaceAll("<!--\\s*title:\\s*(.*?)\\s*-->", "$1");
        byte[] html = layout.replace("{{title}}", title).replace("{{page}}", page).replace("{{content}}", fragment)
                .getBytes(StandardCharsets.UTF_8);
        resources.put("page:" + page, html);
        return html;
    }

    private String text(String name) {
        byte[] b = resource(name);
        if (b == null) {
            throw new IllegalStateException("the monitor's web resource " + name + " is missing from the jar");
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    private byte[] resource(String name) {
        byte[] cached = resources.get(name);
        if (cached != null) {
            return cached;
        }
        try (InputStream in = WebPages.class.getResourceAsStream("web/" + name)) {
            if (in == null) {
                return null;
            }
            byte[] b = in.readAllBytes();
            resources.put(name, b);
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A URL with its password, if any, as {@code **}, as Flower shows the broker ({@link UrlMasking}). */
    static String masked(String url) {
        return UrlMasking.mask(url);
    }
}
