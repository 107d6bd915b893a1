package org.celeriac.spi.serializer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Encodes message bodies and results. Values are JSON-like: {@code null}, {@link String}, {@link Number},
 * {@link Boolean}, {@link java.util.List} and {@link java.util.Map}.
 */
@ConsumerType
public interface Serializer {

    /** The short name used in settings ({@code json}), as in Celery's {@code accept_content}. */
    String name();

    /** The MIME type written on messages ({@code application/json}). */
    String contentType();

    /** The content encoding written on messages ({@code utf-8}, or {@code binary}). */
    String contentEncoding();

    byte[] encode(Object value);

    /** @throws IllegalArgumentException when the bytes are not valid for this format */
    Object decode(byte[] data);
}
