package org.celeriac.control;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One remote-control command as kombu's {@code Mailbox} sends it: the method and its arguments, whom it is for
 * (a list of node names, or a pattern with its matcher, or everyone), and where to reply, if anywhere.
 *
 * @param replyExchange   the direct exchange to reply on, or null for a command that wants no reply
 * @param replyRoutingKey the caller's routing key on it (its oid)
 */
record ControlCommand(String method, Map<String, Object> arguments, List<String> destination, String pattern,
                      String matcher, String ticket, String replyExchange, String replyRoutingKey) {

    ControlCommand {
        arguments = arguments == null ? Map.of() : arguments;
        destination = destination == null ? List.of() : List.copyOf(destination);
    }

    boolean wantsReply() {
        return replyExchange != null && replyRoutingKey != null;
    }

    /**
     * As kombu's {@code Node.handle_message}: named in the destination, or matching the pattern, or, with neither,
     * everyone.
     */
    boolean isFor(String hostname) {
        if (!destination.isEmpty()) {
            return destination.contains(hostname);
        }
        if (pattern != null && matcher != null) {
            return matches(hostname, pattern, matcher);
        }
        return true;
    }

    /** kombu's matchers: {@code glob} (fnmatch) and {@code pcre} (Python's {@code re.match}: anchored at the start). */
    static boolean matches(String hostname, String pattern, String matcher) {
        try {
            return switch (matcher) {
                case "glob" -> Pattern.compile(globToRegex(pattern)).matcher(hostname).matches();
                case "pcre" -> Pattern.compile(pattern).matcher(hostname).lookingAt();
                default -> throw new IllegalArgumentException("unknown matcher '" + matcher + "' (glob or pcre)");
            };
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("bad " + matcher + " pattern '" + pattern + "': " + e.getDescription());
        }
    }

    /** Python's {@code fnmatch}: {@code *}, {@code ?}, {@code [seq]}, {@code [!seq]}; the rest literal. */
    static String globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else if (c == '[' && glob.indexOf(']', i + 2) > 0) {
                int end = glob.indexOf(']', i + 2);
                String set = glob.substring(i + 1, end).replace("\\", "\\\\").replace("[", "\\[").replace("&", "\\&");
                re.append('[').append(set.startsWith("!") ? "^" + set.substring(1)
                        : set.startsWith("^") ? "\\" + set : set).append(']');
                i = end;
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
