/**
 * Regularization strategies: what, if anything, is mixed into training batches besides the dataset.
 */
@Export
@Version("0.1.0")
package dev.lathe.api.regularization;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
