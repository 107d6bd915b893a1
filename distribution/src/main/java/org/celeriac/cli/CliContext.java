package org.celeriac.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.util.Map;
import java.util.function.Supplier;

import org.celeriac.discovery.PluginCatalog;
import org.celeriac.discovery.ServiceLoaderCatalog;

/**
 * What the commands take from the process they run in. Tests give their own: one shared catalog (so that a
 * {@code call} reaches a {@code worker}'s {@code memory://} broker), a fixed environment, and stop requests
 * they control.
 *
 * @param plugins      the plugin catalog each app is opened with
 * @param environment  environment variables ({@code CELERIAC_*} settings)
 * @param input        standard input, for confirmations
 * @param stopRequests a fresh stop request per worker run
 */
record CliContext(Supplier<PluginCatalog> plugins, Map<String, String> environment, BufferedReader input,
                  Supplier<StopRequest> stopRequests) {

    /** The real process: plugins on the class path, its environment, its standard input, its signals. */
    static CliContext ofProcess() {
        return new CliContext(ServiceLoaderCatalog::new, System.getenv(),
                new BufferedReader(new InputStreamReader(System.in, Charset.defaultCharset())),
                ProcessSignals::install);
    }
}
