/**
 * Commands that plugins add to the {@code lathe} command line (e.g. {@code lathe faces} from the
 * face evaluator).
 */
@Export
@Version("0.1.0")
package dev.lathe.api.cli;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
