package org.celeriac.transport.sqs;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportFactory;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;

/**
 * Opens {@link SqsTransport}s for {@code sqs://[key:secret@][host[:port]]} URLs, as kombu reads them: the access key
 * and secret (URL-encoded) from the URL, or else the SDK's default chain (environment, profile, instance role); a
 * host names the endpoint, as {@code endpoint_url} does (ElasticMQ, LocalStack). Options, from the URL's query or
 * the options map (the URL wins): {@code region}, {@code queue_name_prefix}, {@code predefined_queues} (JSON,
 * {@code {"name": {"url": ...}}}), {@code visibility_timeout}, {@code wait_time_seconds}, {@code polling_interval},
 * {@code endpoint_url}, {@code is_secure}, {@code sts_role_arn}, {@code sts_token_timeout}. See {@link SqsSettings}.
 *
 * <p>Found through {@code META-INF/services} on a class path, and as a Declarative Services component in OSGi.
 */
@Component(service = TransportFactory.class)
public final class SqsTransportFactory implements TransportFactory {

    private static final Logger LOG = LoggerFactory.getLogger(SqsTransportFactory.class);

    @Override
    public Set<String> schemes() {
        return Set.of("sqs");
    }

    @Override
    public Transport open(String url, Map<String, String> options) {
        SqsSettings settings = SqsSettings.parse(url, options);
        LOG.debug("Opening {} (credentials from {})", settings, settings.hasUrlCredentials() ? "the URL"
                : "the default chain");
        return new SqsTransport(settings, client(settings));
    }

    private static SqsClient client(SqsSettings settings) {
        SqsClientBuilder builder = SqsClient.builder()
                // the HTTP client named, not found by ServiceLoader, which does not see across OSGi bundles;
                // its read timeout outlasts a long poll by a little: a connection gone silent (a partition) fails
                // soon after the poll should have ended, and the SDK retries on a new one
                .httpClient(UrlConnectionHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(5))
                        .socketTimeout(Duration.ofSeconds(settings.waitTimeSeconds() + 5L))
                        .build())
                .region(Region.of(settings.region()))
                .credentialsProvider(credentials(settings));
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        return builder.build();
    }

    /**
     * The URL's key and secret, else the SDK's default chain; with {@code sts_role_arn}, those assume the role (as
     * kombu does, session name {@code Celery}), and the role's credentials are renewed before they expire. STS is
     * asked at the endpoint given for SQS when there is one (LocalStack serves both), else at the region's.
     */
    static AwsCredentialsProvider credentials(SqsSettings settings) {
        AwsCredentialsProvider own = settings.hasUrlCredentials()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(),
                        settings.secretKey()))
                : DefaultCredentialsProvider.builder().build();
        if (settings.stsRoleArn() == null) {
            return own;
        }
        StsClientBuilder sts = StsClient.builder()
                .httpClient(UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(5)).build())
                .region(Region.of(settings.region()))
                .credentialsProvider(own);
        if (settings.endpoint() != null) {
            sts.endpointOverride(settings.endpoint());
        }
        return StsAssumeRoleCredentialsProvider.builder()
                .stsClient(sts.build())
                .refreshRequest(r -> r.roleArn(settings.stsRoleArn()).roleSessionName("Celery")
                        .durationSeconds((int) settings.stsTokenTimeout().toSeconds()))
                .build();
    }
}
