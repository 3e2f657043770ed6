/**
 * Evaluators that score generated images against references and summarize them per checkpoint.
 */
@Export
@Version("0.1.0")
package dev.lathe.api.eval;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
