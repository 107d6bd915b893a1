/** JSON, the default and only accepted body format unless configured otherwise. */
@Export
@Version("1.0.0")
package org.celeriac.json;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
