/**
 * Plumbing shared by the Redis transport and result backend: {@link org.celeriac.redis.RedisUrl} and
 * {@link org.celeriac.redis.CheckedConnections}. Not exported: each plugin bundle copies this package in privately,
 * with the jedis it is written against (see their bnd.bnd).
 */
@Version("1.2.0")
package org.celeriac.redis;

import org.osgi.annotation.versioning.Version;
