/**
 * Celery's message signing: the {@code auth} serializer, its keys, certificates and certificate store, read with the
 * JDK's {@code java.security} alone. {@link org.celeriac.security.MessageSigning} is the entry point.
 */
package org.celeriac.security;
