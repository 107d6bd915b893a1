package org.celeriac.itests;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Two JSON documents compared by shape, values aside: the same keys in every object, at every level, and the same
 * JSON type (object, array, string, number, boolean, null) under each. An array's elements are compared by the first
 * of each side, and an empty array is taken to fit any: the lists hold what the moment held (a worker's active
 * tasks), not a shape.
 */
final class JsonShapes {

    private JsonShapes() {
    }

    /** Every difference between {@code flower} and {@code celeriac}, each as {@code PATH: what}; none when alike. */
    static List<String> differences(JsonNode flower, JsonNode celeriac) {
        List<String> out = new ArrayList<>();
        compare("$", flower, celeriac, out);
        return out;
    }

    private static void compare(String path, JsonNode f, JsonNode c, List<String> out) {
        String ft = type(f);
        String ct = type(c);
        if (!ft.equals(ct)) {
            out.add(path + ": Flower has " + ft + " " + abbreviate(f) + ", Celeriac " + ct + " " + abbreviate(c));
            return;
        }
        if (f.isObject()) {
            Set<String> keys = new TreeSet<>();
            f.fieldNames().forEachRemaining(keys::add);
            c.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                String at = path + "." + k;
                if (!c.has(k)) {
                    out.add(at + ": only Flower has it");
                } else if (!f.has(k)) {
                    out.add(at + ": only Celeriac has it");
                } else {
                    compare(at, f.get(k), c.get(k), out);
                }
            }
        } else if (f.isArray() && f.size() > 0 && c.size() > 0) {
            compare(path + "[0]", f.get(0), c.get(0), out);
        }
    }

    static String type(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "missing";
        }
        if (n.isObject()) {
            return "object";
        }
        if (n.isArray()) {
            return "array";
        }
        if (n.isTextual()) {
            return "string";
        }
        if (n.isNumber()) {
            return "number";
        }
        if (n.isBoolean()) {
            return "boolean";
        }
        return n.isNull() ? "null" : n.getNodeType().toString();
    }

    /** An object's keys in order: the ids of {@code /api/tasks}, the workers of {@code /api/workers}. */
    static List<String> keys(JsonNode n) {
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        return keys;
    }

    private static String abbreviate(JsonNode n) {
        String s = String.valueOf(n);
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
