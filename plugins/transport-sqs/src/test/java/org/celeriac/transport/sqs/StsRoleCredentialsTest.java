package org.celeriac.transport.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * {@code sts_role_arn} as kombu's: the URL's credentials assume the role, named {@code Celery}, for
 * {@code sts_token_timeout}. No STS runs here, so STS's AssumeRole answer comes from a stand-in at the endpoint, which
 * keeps what it was asked.
 */
class StsRoleCredentialsTest {

    private static final String ROLE = "arn:aws:iam::123456789012:role/celery-workers";

    private HttpServer sts;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startStsStandIn() throws IOException {
        sts = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        sts.createContext("/", exchange -> {
            requests.add(URLDecoder.decode(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                    StandardCharsets.UTF_8));
            authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] answer = ("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
                    + "<Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>role-secret</SecretAccessKey>"
                    + "<SessionToken>role-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration>"
                    + "</Credentials><AssumedRoleUser><AssumedRoleId>AROA:Celery</AssumedRoleId>"
                    + "<Arn>arn:aws:sts::123456789012:assumed-role/celery-workers/Celery</Arn></AssumedRoleUser>"
                    + "</AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata>"
                    + "</AssumeRoleResponse>").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/xml");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        sts.start();
    }

    @AfterEach
    void stop() {
        sts.stop(0);
    }

    @Test
    void urlCredentialsAssumeTheRoleNamedCeleryForTheTokenTimeout() {
        SqsSettings settings = SqsSettings.parse("sqs://AKIAOWN:own-secret@127.0.0.1:" + sts.getAddress().getPort(),
                Map.of("sts_role_arn", ROLE));

        AwsCredentials credentials = SqsTransportFactory.credentials(settings).resolveCredentials();

        assertThat(credentials).isInstanceOf(AwsSessionCredentials.class);
        assertThat(credentials.accessKeyId()).isEqualTo("ASIAROLE");
        assertThat(((AwsSessionCredentials) credentials).sessionToken()).isEqualTo("role-token");
        assertThat(requests).singleElement().asString().contains("Action=AssumeRole", "RoleArn=" + ROLE,
                "RoleSessionName=Celery", "DurationSeconds=900");
        assertThat(authorizations).singleElement().asString().contains("Credential=AKIAOWN/");
    }

    @Test
    void withoutARoleTheUrlCredentialsAreUsedAsTheyAre() {
        SqsSettings settings = SqsSettings.parse("sqs://AKIAOWN:own-secret@", Map.of());

        assertThat(SqsTransportFactory.credentials(settings)).isInstanceOf(StaticCredentialsProvider.class);
        assertThat(requests).isEmpty();
    }

    @Test
    void tokenTimeoutOutsideStsLimitsIsRefused() {
        assertThatThrownBy(() -> SqsSettings.parse("sqs://", Map.of("sts_role_arn", ROLE, "sts_token_timeout", "60")))
                .hasMessageContaining("sts_token_timeout must be between 900 and 43200");
        assertThat(SqsSettings.parse("sqs://", Map.of("sts_token_timeout", "3600")).stsTokenTimeout().toSeconds())
                .isEqualTo(3600);
    }
}
