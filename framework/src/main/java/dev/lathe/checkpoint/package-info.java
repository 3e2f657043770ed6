/**
 * Opening base checkpoints as the model families read them: a single {@code .safetensors} file
 * or the component files of a diffusers folder, as one {@link dev.lathe.nn.WeightSource}.
 */
@Export
@Version("0.1.0")
package dev.lathe.checkpoint;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
