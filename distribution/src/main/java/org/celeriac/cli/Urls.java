package org.celeriac.cli;

import java.util.regex.Pattern;

/** Broker and backend URLs as the command line shows them: without passwords. */
final class Urls {
    private static final Pattern USER_PASSWORD = Pattern.compile("(//[^/@:]*:)[^/@]*@");
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)(password=)[^&;]*");

    private Urls() {
    }

    static String redact(String url) {
        if (url == null) {
            return null;
        }
        String masked = USER_PASSWORD.matcher(url).replaceAll("$1***@");
        return PASSWORD_PARAMETER.matcher(masked).replaceAll("$1***");
    }
}
