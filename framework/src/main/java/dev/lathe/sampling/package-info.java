/**
 * Sampling: turning noise into latents with a diffusion model, the way k-diffusion (and with it
 * AUTOMATIC1111 and ComfyUI) and diffusers' DDIM do.
 *
 * <p>The pieces, from the network outwards:
 * <ul>
 * <li>{@link dev.lathe.sampling.TimestepModel} — the network (a UNet) called with a scaled input,
 *     timesteps and conditioning; predicts noise ε or velocity v ({@link dev.lathe.train.diffusion.Prediction}).
 * <li>{@link dev.lathe.sampling.CompVisDenoiser} — makes it a denoiser over noise levels σ, using
 *     the model's {@link dev.lathe.sampling.SigmaTable}.
 * <li>{@link dev.lathe.sampling.Guidance} — classifier-free guidance: conditional and unconditional
 *     predictions in one batch, combined into one {@link dev.lathe.sampling.Denoiser}.
 * <li>{@link dev.lathe.sampling.Schedule} — the noise levels a run walks through.
 * <li>{@link dev.lathe.sampling.Samplers} — the samplers, each a short loop over a denoiser; noise
 *     for the stochastic ones from a {@link dev.lathe.sampling.NoiseSource}, reproducibly from a seed
 *     with {@link dev.lathe.sampling.SeededNoise}.
 * <li>{@link dev.lathe.sampling.SamplerNames} — the names users type (A1111's and kohya's).
 * </ul>
 *
 * <p><b>Arrays and memory.</b> Everything runs on DJL {@code NDArray}s in the dtype and on the device
 * of the latent handed in; results attach to its manager. Each sampler step runs inside an
 * {@code NDScope}, so native memory stays flat however many steps run: arrays handed to a
 * {@link dev.lathe.sampling.StepCallback} are valid only during the call.
 */
@Export
@Version("0.1.0")
package dev.lathe.sampling;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
