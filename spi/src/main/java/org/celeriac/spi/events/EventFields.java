package org.celeriac.spi.events;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * An event's fields: immutable, in the order given, null values allowed. Kept as one array of names and values, not a
 * hash map: a worker sends a few events per task, each of ten or so fields, and a map's nodes would cost more to build
 * than the event is worth. Looking a field up walks the array, which for a dozen fields is as quick as hashing.
 */
public final class EventFields extends AbstractMap<String, Object> {
    private static final EventFields EMPTY = new EventFields(new Object[0]);

    /** Names at even indexes, each followed by its value; no name twice. */
    private final Object[] namesAndValues;

    private EventFields(Object[] namesAndValues) {
        this.namesAndValues = namesAndValues;
    }

    /**
     * Fields given as name, value, name, value...; a name given twice keeps its first place and its last value, as
     * putting both into a {@link java.util.LinkedHashMap} would.
     *
     * @throws IllegalArgumentException if a name is missing its value or is not a string
     */
    public static EventFields of(Object... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("names and values do not pair up: " + namesAndValues.length + " given");
        }
        Object[] a = namesAndValues.clone();
        int n = 0;
        for (int i = 0; i < a.length; i += 2) {
            if (!(a[i] instanceof String name)) {
                throw new IllegalArgumentException("field name is not a string: " + a[i]);
            }
            int at = indexOf(a, n, name);
            if (at >= 0) {
                a[at + 1] = a[i + 1];
            } else {
                a[n] = name;
                a[n + 1] = a[i + 1];
                n += 2;
            }
        }
        return n == 0 ? EMPTY : new EventFields(n == a.length ? a : Arrays.copyOf(a, n));
    }

    /** These fields, in the map's order: a copy, unless they are {@code EventFields} already. */
    public static EventFields copyOf(Map<String, ?> fields) {
        if (fields instanceof EventFields f) {
            return f;
        }
        Object[] a = new Object[2 * fields.size()];
        int i = 0;
        for (Map.Entry<String, ?> e : fields.entrySet()) {
            a[i++] = Objects.requireNonNull(e.getKey(), "field name");
            a[i++] = e.getValue();
        }
        return i == 0 ? EMPTY : new EventFields(i == a.length ? a : Arrays.copyOf(a, i));
    }

    private static int indexOf(Object[] a, int end, Object name) {
        int hash = name.hashCode(); // cached by String: most names differ by it, without a character compared
        for (int i = 0; i < end; i += 2) {
            if (a[i] == name || a[i].hashCode() == hash && a[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public int size() {
        return namesAndValues.length / 2;
    }

    @Override
    public boolean containsKey(Object name) {
        return name != null && indexOf(namesAndValues, namesAndValues.length, name) >= 0;
    }

    @Override
    public Object get(Object name) {
        int at = name == null ? -1 : indexOf(namesAndValues, namesAndValues.length, name);
        return at < 0 ? null : namesAndValues[at + 1];
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super Object> action) {
        for (int i = 0; i < namesAndValues.length; i += 2) {
            action.accept((String) namesAndValues[i], namesAndValues[i + 1]);
        }
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return namesAndValues.length / 2;
            }

            @Override
            public Iterator<Entry<String, Object>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < namesAndValues.length;
                    }

                    @Override
                    public Entry<String, Object> next() {
                        if (next >= namesAndValues.length) {
                            throw new NoSuchElementException();
                        }
                        Entry<String, Object> e = new SimpleImmutableEntry<>((String) namesAndValues[next],
                                namesAndValues[next + 1]);
                        next += 2;
                        return e;
                    }
                };
            }
        };
    }
}
