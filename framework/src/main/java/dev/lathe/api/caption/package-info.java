/**
 * Image captioners that write training captions.
 */
@Export
@Version("0.1.0")
package dev.lathe.api.caption;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
