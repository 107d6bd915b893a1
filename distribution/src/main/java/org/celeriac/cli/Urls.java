package org.celeriac.cli;

import org.celeriac.config.UrlPasswords;

/** Broker and backend URLs as the command line shows them: without passwords, as Celery shows them. */
final class Urls {

    private Urls() {
    }

    /** {@code redis://:**@host:6379/0}: see {@link UrlPasswords}. */
    static String redact(String url) {
        return UrlPasswords.mask(url);
    }
}
