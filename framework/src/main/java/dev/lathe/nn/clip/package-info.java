/**
 * The CLIP text transformer (causal, quick-GELU or GELU, final LayerNorm, every hidden state) in
 * Hugging Face naming, and the OpenCLIP layout (fused {@code in_proj}) mapped onto it.
 */
@Export
@Version("0.1.0")
package dev.lathe.nn.clip;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
