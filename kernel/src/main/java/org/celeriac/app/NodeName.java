package org.celeriac.app;

/**
 * Expands a worker name as Celery's {@code -n}: {@code %h} the host name with its domain, {@code %n} the host
 * name alone, {@code %d} the domain, {@code %%} a percent sign; {@code worker1@%h} becomes {@code worker1@box.lan}.
 */
final class NodeName {

    private NodeName() {
    }

    static String expand(String name, String host) {
        if (name.indexOf('%') < 0) {
            return name;
        }
        int dot = host.indexOf('.');
        String shortName = dot < 0 ? host : host.substring(0, dot);
        String domain = dot < 0 ? "" : host.substring(dot + 1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '%' && i + 1 < name.length()) {
                char k = name.charAt(i + 1);
                String v = switch (k) {
                    case 'h' -> host;
                    case 'n' -> shortName;
                    case 'd' -> domain;
                    case '%' -> "%";
                    default -> null;
                };
                if (v != null) {
                    out.append(v);
                    i++;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }
}
