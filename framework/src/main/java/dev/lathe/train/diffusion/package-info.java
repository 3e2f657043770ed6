/**
 * The diffusion training maths of Stable Diffusion as kohya-ss/sd-scripts trains it: the DDPM
 * noise schedule, forward noising, prediction targets, noise variants (offset, adaptive offset,
 * multi-resolution), timestep sampling and the weighted per-sample loss. Tensor operations run on
 * DJL arrays and are safe inside a {@code GradientCollector}.
 */
@Export
@Version("0.1.0")
package dev.lathe.train.diffusion;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
