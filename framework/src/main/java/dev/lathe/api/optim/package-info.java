/**
 * Optimizers over LoRA parameters. A third party adds one by registering an
 * {@link dev.lathe.api.optim.OptimizerFactory} service with an {@code id} property in its bundle.
 */
@Export
@Version("0.1.0")
package dev.lathe.api.optim;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
