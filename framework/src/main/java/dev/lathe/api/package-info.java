/**
 * What every Lathe plugin shares: the {@code id} service property, declared options and
 * their validated values, and the two kinds of failure a user can be shown.
 */
@Export
@Version("0.1.0")
package dev.lathe.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
