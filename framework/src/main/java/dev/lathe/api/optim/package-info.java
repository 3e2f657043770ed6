/**
 * Optimizers over LoRA parameters. A third party adds one by registering an
 * {@link dev.lathe.api.optim.OptimizerFactory} service with an {@code id} property in its bundle.
 *
 * <p>{@link dev.lathe.optim.AbstractOptimizer} carries what every optimizer shares (state
 * tensors saved and restored by name, step count, learning rates, the step loop over
 * {@link dev.lathe.optim.ParameterView}s that frees every temporary), so an optimizer class
 * holds only its update; {@code dev.lathe.optimizer.adamw.AdamW} and
 * {@code dev.lathe.optimizer.adafactor.Adafactor} are the models to follow.
 */
@Export
@Version("0.1.0")
package dev.lathe.api.optim;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
