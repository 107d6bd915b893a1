package org.celeriac.transport.amqp;

import java.util.Map;
import java.util.Set;

import org.celeriac.spi.backend.BackendException;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.ResultBackendFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Opens {@link RpcResultBackend}s for {@code rpc://}: results travel over the broker, so the backend connects to the
 * AMQP broker the application names in its {@code broker_url} (the kernel passes it among the options).
 */
@Component(service = ResultBackendFactory.class)
public final class RpcResultBackendFactory implements ResultBackendFactory {

    @Override
    public Set<String> schemes() {
        return Set.of("rpc");
    }

    @Override
    public ResultBackend open(String url, Map<String, String> options) {
        String broker = options.get("broker_url");
        if (broker == null || !(broker.startsWith("amqp") || broker.startsWith("pyamqp"))) {
            throw new BackendException("The rpc:// result backend sends results over an AMQP broker, but broker_url is "
                    + (broker == null ? "not set" : "not amqp:// (" + broker.replaceAll("//[^@/]*@", "//***@") + ")"));
        }
        return new RpcResultBackend(AmqpUrl.parse(broker, Map.of()));
    }
}
