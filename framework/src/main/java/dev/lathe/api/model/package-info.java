/**
 * Base model families (SD 1.5, SDXL): recognizing, loading and naming the LoRA targets of checkpoints.
 */
@Export
@Version("0.1.0")
package dev.lathe.api.model;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
