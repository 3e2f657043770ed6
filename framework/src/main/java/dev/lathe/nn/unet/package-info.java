/**
 * The LDM/SGM diffusion UNet (SD 1.x, SD 2.x, SDXL) built from a {@link dev.lathe.nn.unet.UNetConfig}:
 * ResBlocks with timestep embedding, spatial transformers with self- and cross-attention and
 * GEGLU feed-forward, down/upsampling; and the diffusers name mapping.
 */
@Export
@Version("0.1.0")
package dev.lathe.nn.unet;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
