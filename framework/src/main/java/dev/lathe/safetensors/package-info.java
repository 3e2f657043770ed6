/**
 * The safetensors format: memory-mapped, strictly validated reading and atomic writing of
 * {@code .safetensors} files (checkpoints, LoRAs, training states, fixtures).
 */
@Export
@Version("0.1.0")
package dev.lathe.safetensors;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
