package dev.lathe.api.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lathe.nn.AdaptableLayer;
import dev.lathe.nn.StoredRange;
import java.util.List;
import java.util.Map;

/**
 * A loaded text-to-image latent diffusion checkpoint as training and sampling see it, whatever
 * its family: prompts to {@link Conditioning}, images to latents and back, and the denoising
 * network. The train and generate stages only ever talk to this, so an SD 1.5 and an SDXL
 * checkpoint (or a third party's family) train and render through the same code.
 *
 * <p>Arrays: results belong to the caller's {@link ai.djl.ndarray.NDScope} when one is open, else
 * to the input's manager; weights belong to {@link #manager()}. Latents are always in the UNet's
 * space (the VAE's latents × the family's latent scale).
 */
public interface DiffusionModel extends BaseModel {

    /** kohya's {@code ss_base_model_version}: {@code sd_v1}, {@code sd_v2}, {@code sdxl_base_v1-0}. */
    String baseModelVersion();

    /** Whether the network predicts v (SD 2.x 768-v models) rather than ε. */
    boolean vPrediction();

    /** The factor between VAE latents and UNet latents (0.18215 for SD 1.x/2.x, 0.13025 for SDXL). */
    float latentScale();

    /**
     * How many image pixels one latent pixel covers along each side: 8 for every real SD 1.x, 2.x
     * and SDXL VAE, 2 for the tiny test models (whose VAEs have two levels). Renderers and the
     * latent cache size latents by it.
     */
    int vaeDownscale();

    /** The manager that owns the weights; its device is the model's. */
    NDManager manager();

    /**
     * Every Linear and Conv2d of the model by checkpoint key prefix in the family's canonical
     * single-file naming ({@link LoraTarget#weightKey()} without {@code .weight}): where LoRA
     * adapters attach.
     */
    Map<String, AdaptableLayer> layers();

    /**
     * Where the tensor with canonical key {@code key} (a {@link LoraTarget#weightKey()}, a key of
     * {@link #layers()} plus {@code .weight}) is stored in the checkpoint's files: the file's own
     * tensor of that name, a tensor the family renamed or reshaped, or for OpenCLIP text encoders'
     * q/k/v the rows of the fused {@code in_proj_weight}. Writers of merged checkpoints put changed
     * weights back there. Null when the checkpoint has no tensor {@code key}.
     */
    StoredRange storedAt(String key);

    /** The LoRA target modules for {@code scope}, named as kohya-ss names them, in kohya's order. */
    List<LoraTarget> loraTargets(LoraScope scope);

    /**
     * Conditioning for training captions: plain text (no emphasis syntax), at most 75 tokens each,
     * as kohya encodes captions by default. Runs under autograd if the caller records, so text
     * encoder LoRAs train.
     *
     * @param clipSkip 1 = the family's usual layer; 2 = one layer earlier, as kohya and A1111 count
     * @param sizes    per caption, the size conditioning (SDXL); null for the family's default
     */
    Conditioning encodeCaptions(List<String> captions, int clipSkip, List<SizeConditioning> sizes);

    /**
     * Conditioning for sampling prompts in AUTOMATIC1111's syntax: emphasis {@code (word:1.2)},
     * {@code BREAK}, prompts longer than 75 tokens in 75-token windows; {@code <lora:...>} tags
     * are ignored here (the caller applies them). Every prompt of the batch is padded to the same
     * number of windows.
     */
    Conditioning encodePrompts(List<String> prompts, int clipSkip, List<SizeConditioning> sizes);

    /**
     * The unconditional conditioning of an empty negative prompt when sampling, from
     * {@code encodedEmpty}: what {@link #encodePrompts} gave for {@code ""} (padded to the windows
     * of the batch it was encoded with). The default is {@code encodedEmpty} itself: SD 1.x and 2.x
     * encode {@code ""} like any other prompt. SDXL answers zeros for everything that comes from
     * the text (the context and the pooled-text part of the vector) and keeps the size part, as
     * AUTOMATIC1111 and diffusers render SDXL.
     *
     * <p>New arrays belong to the caller's {@link ai.djl.ndarray.NDScope} (else to the input's
     * manager); {@code encodedEmpty} is not closed.
     */
    default Conditioning emptyNegativePrompt(Conditioning encodedEmpty) {
        return encodedEmpty;
    }

    /**
     * The network's prediction (ε or v, see {@link #vPrediction()}) for noisy latents
     * {@code [B, 4, h, w]} at {@code timesteps} ({@code [B]}, float, possibly fractional).
     */
    NDArray predict(NDArray noisyLatents, NDArray timesteps, Conditioning conditioning);

    /**
     * Latents for images {@code [B, 3, H, W]} in [-1, 1]: the VAE posterior's mean plus its
     * standard deviation times {@code noise} (a sample, as kohya caches; pass zeros for the mean),
     * times the latent scale.
     */
    NDArray encodeImages(NDArray images, NDArray noise);

    /** Images {@code [B, 3, 8h, 8w]} in about [-1, 1], float32, for latents {@code [B, 4, h, w]}. */
    NDArray decodeLatents(NDArray latents);
}
