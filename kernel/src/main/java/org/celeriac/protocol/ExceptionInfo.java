package org.celeriac.protocol;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An exception as Celery stores it in a result: {@code {"exc_type", "exc_message", "exc_module"}}, which Python
 * turns back into an exception (a real one for {@code builtins} and {@code celery.exceptions} types).
 *
 * @param type    class name ({@code ValueError}, {@code IllegalStateException})
 * @param module  Python module or Java package ({@code builtins}, {@code java.lang})
 * @param message the message, or empty
 */
public record ExceptionInfo(String type, String module, String message) {

    /** Python's {@code TypeError}, which Celery raises for arguments that do not fit the task. */
    public static ExceptionInfo typeError(String message) {
        return new ExceptionInfo("TypeError", "builtins", message);
    }

    public static ExceptionInfo celery(String type, String message) {
        return new ExceptionInfo(type, "celery.exceptions", message);
    }

    public static ExceptionInfo of(Throwable t) {
        Class<?> c = t.getClass();
        String pkg = c.getPackageName();
        String name = pkg.isEmpty() ? c.getName() : c.getName().substring(pkg.length() + 1);
        return new ExceptionInfo(name.replace('$', '.'), pkg, t.getMessage() == null ? "" : t.getMessage());
    }

    /** The form stored as a FAILURE or RETRY result. */
    public Map<String, Object> toResult() {
        return result(type, module, List.of(message));
    }

    /** A stored exception with the arguments Python gives its constructor ({@code exc.args}), not only a message. */
    public static Map<String, Object> result(String type, String module, List<?> args) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("exc_type", type);
        m.put("exc_message", args);
        m.put("exc_module", module);
        return m;
    }

    /** Reads a stored exception; tolerant of the forms Celery versions wrote. */
    public static ExceptionInfo fromResult(Object stored) {
        if (stored instanceof Map<?, ?> m && m.get("exc_type") != null) {
            Object msg = m.get("exc_message");
            String text;
            if (msg instanceof List<?> l) {
                text = l.size() == 1 ? String.valueOf(l.get(0)) : l.isEmpty() ? "" : String.valueOf(l);
            } else {
                text = msg == null ? "" : String.valueOf(msg);
            }
            Object module = m.get("exc_module");
            return new ExceptionInfo(String.valueOf(m.get("exc_type")), module == null ? "builtins" : module.toString(), text);
        }
        return new ExceptionInfo("Exception", "builtins", String.valueOf(stored));
    }

    public static String traceback(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    @Override
    public String toString() {
        return type + ": " + message;
    }
}
