/**
 * LDM's {@code AutoencoderKL} (the Stable Diffusion VAE): encoder, decoder with mid-block
 * attention, the diagonal Gaussian posterior; and the diffusers name mapping.
 */
@Export
@Version("0.1.0")
package dev.lathe.nn.vae;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
