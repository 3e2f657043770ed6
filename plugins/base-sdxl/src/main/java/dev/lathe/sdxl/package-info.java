/**
 * Stable Diffusion XL checkpoints as loaded by the {@code sdxl} model family:
 * {@link dev.lathe.sdxl.SdxlModel} gives typed access to both text encoders, the VAE and the UNet.
 */
@Export
@Version("0.1.0")
package dev.lathe.sdxl;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
