package org.celeriac.itests;

import java.util.List;

/**
 * Beats on the embedded default, as a user without any server runs them: the SQL broker and the file store, both
 * under celeriac-data in the shared working directory. The tests' other stores are files beside it.
 */
class EmbeddedBeatTest extends BeatProcessContract {
    @Override
    List<String> connection(String store) {
        return store.equals("one") ? List.of() : List.of("--store", "file:" + store + "-beat.json");
    }
}
