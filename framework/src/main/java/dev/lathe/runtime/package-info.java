/**
 * The tensor runtime: DJL's PyTorch engine, offline, from inside OSGi bundles.
 */
@Export
@Version("0.1.0")
package dev.lathe.runtime;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
