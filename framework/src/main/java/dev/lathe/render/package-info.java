/**
 * Rendering images with a {@link dev.lathe.api.model.DiffusionModel}: txt2img with the common
 * samplers, classifier-free guidance, clip skip and LoRAs applied at run time
 * ({@link dev.lathe.render.Renderer}); AUTOMATIC1111's generation parameters in every PNG
 * ({@link dev.lathe.render.GenerationParameters}, {@link dev.lathe.render.Infotext}); and
 * kohya-ss sample prompts for samples during training ({@link dev.lathe.render.SamplePrompt},
 * {@link dev.lathe.render.SamplePromptFile}, {@link dev.lathe.render.TrainingSamples}).
 */
@Export
@Version("0.1.0")
package dev.lathe.render;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
