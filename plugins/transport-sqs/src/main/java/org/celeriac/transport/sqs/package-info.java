/**
 * The Amazon SQS transport: queues as SQS queues named as kombu names them, messages as kombu's base64'd envelopes,
 * the visibility timeout as the lease; shared with Python Celery. No fanout, so no remote control or events.
 */
package org.celeriac.transport.sqs;
