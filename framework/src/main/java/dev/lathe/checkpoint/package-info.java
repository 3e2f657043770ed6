/**
 * Base checkpoints as files: {@link dev.lathe.checkpoint.CheckpointFiles} opens a single
 * {@code .safetensors} file or a diffusers folder and reads its headers;
 * {@link dev.lathe.checkpoint.CheckpointRecognizer} asks the installed model families which one
 * a checkpoint belongs to, from those headers alone.
 */
@Export
@Version("0.1.0")
package dev.lathe.checkpoint;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
