/**
 * The tensor runtime: DJL's PyTorch engine, offline, from inside OSGi bundles; and
 * {@link dev.lathe.runtime.HostLoops}, Java loops over the memory of CPU arrays for updates that
 * DJL's operations would take many passes for.
 */
@Export
@Version("0.1.0")
package dev.lathe.runtime;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
