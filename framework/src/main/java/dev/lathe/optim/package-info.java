/**
 * Shared machinery for optimizer plugins: a base class that keeps state by parameter name, runs
 * the step loop and reports learning rates, and in-place parameter views that update float16
 * parameters in float32. The contract itself is {@link dev.lathe.api.optim}.
 */
@Export
@Version("0.1.0")
package dev.lathe.optim;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
