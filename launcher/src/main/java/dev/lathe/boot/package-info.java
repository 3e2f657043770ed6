/**
 * The one type the launcher (on the class path) and the CLI bundle (inside Felix) share. The
 * launcher exports this package through the system bundle.
 */
@Export
@Version("0.1.0")
package dev.lathe.boot;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
