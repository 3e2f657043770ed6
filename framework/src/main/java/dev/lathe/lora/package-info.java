/**
 * kohya-ss LoRA networks without model code: which modules a LoRA adapts and what they are named
 * ({@link dev.lathe.lora.KohyaTargets} over a model's {@link dev.lathe.lora.ModuleDescriptor}s),
 * the maths of one adapted module ({@link dev.lathe.lora.LoraModule}: forward contribution,
 * dropouts, merging into a weight), and the {@code .safetensors} file format
 * ({@link dev.lathe.lora.LoraFile}) that AUTOMATIC1111, ComfyUI and diffusers load.
 */
@Export
@Version("0.1.0")
package dev.lathe.lora;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
