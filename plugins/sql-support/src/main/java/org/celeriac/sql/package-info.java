/**
 * JDBC plumbing shared by the SQL transport and result backend: URLs, pooled databases, dialects and JSON.
 */
@Export
@Version("1.1.0")
package org.celeriac.sql;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
