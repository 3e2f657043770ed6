/**
 * Stable Diffusion 1.x (and SD 2.x-style) checkpoints as loaded by the {@code sd15} model family:
 * {@link dev.lathe.sd15.Sd15Model} gives typed access to the text encoder, VAE and UNet.
 */
@Export
@Version("0.1.0")
package dev.lathe.sd15;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
