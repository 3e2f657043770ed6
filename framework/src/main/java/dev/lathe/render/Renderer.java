package dev.lathe.render;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.RunFailedException;
import dev.lathe.api.model.Conditioning;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.model.SizeConditioning;
import dev.lathe.image.RgbImage;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.sampling.CompVisDenoiser;
import dev.lathe.sampling.Denoiser;
import dev.lathe.sampling.Guidance;
import dev.lathe.sampling.SamplerNames;
import dev.lathe.sampling.Schedule;
import dev.lathe.sampling.SeededNoise;
import dev.lathe.sampling.SigmaTable;
import dev.lathe.sampling.StepCallback;
import dev.lathe.text.LoraTag;
import dev.lathe.text.ParsedPrompt;
import dev.lathe.text.PromptParser;
import dev.lathe.train.diffusion.Prediction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/**
 * Renders txt2img images with any {@link DiffusionModel} (SD 1.5 and SDXL alike, through the
 * model API only), the way AUTOMATIC1111 renders them, and records how in A1111's infotext.
 *
 * <p><b>One render</b> ({@link #render}):
 * <ol>
 * <li>The prompt's {@code <lora:name:strength>} tags are looked up in the LoRA folders; with the
 *     request's own LoRAs they are attached to the model's layers unmerged (never changing its
 *     weights) and detached afterwards. A LoRA for another architecture (an SDXL LoRA on an SD 1.5
 *     checkpoint) or with modules the model lacks is refused with the offending names.
 * <li>Noise levels from the sampler's schedule over the model's σ table; the starting latent is
 *     the seed's noise ({@link SeededNoise}: PyTorch's CPU generator re-implemented in Java, i.e.
 *     A1111's "CPU" RNG source and ComfyUI's noise) times the sampler's starting scale.
 * <li>The prompt and the negative prompt are encoded in one batch (so both have the same number of
 *     75-token windows); classifier-free guidance runs cond and uncond in one model call per step.
 *     An empty negative prompt conditions as the family says ({@link DiffusionModel#emptyNegativePrompt}:
 *     SDXL zeroes its text parts as A1111 does, SD 1.x/2.x encode {@code ""}).
 * <li>Before every model evaluation each LoRA's multipliers are set to its strength at that point
 *     of sampling (see {@link #progress}); when a text-encoder strength changes, the prompts are
 *     encoded again.
 * <li>The final latent is decoded and converted to 8-bit RGB as A1111 does ({@link Pixels}).
 * </ol>
 *
 * <p><b>Randomness.</b> Everything random in a render comes from its own generator seeded with the
 * request's seed; a random seed (−1) is drawn from a fresh generator. The render never touches a
 * caller's random generators or libtorch's global one, so a training loop that renders samples
 * continues exactly as it would without them.
 *
 * <p><b>Memory.</b> Each render runs in its own {@link NDScope}; LoRA networks stay loaded (on the
 * model's device) until the renderer is closed, so rendering the same LoRA again costs no loading.
 * Not thread-safe: one render at a time.
 */
public final class Renderer implements AutoCloseable {

    /** SD 1.x, 2.x and SDXL latents have 4 channels. */
    static final int LATENT_CHANNELS = 4;
    /** What the infotext's RNG field says: Lathe's noise is A1111's CPU source. */
    static final String RNG_SOURCE = "CPU";

    private final DiffusionModel model;
    private final LoraFolders loraFolders;
    private final FileHashes hashes;
    private final String version;
    private final RuntimeLoras loras;
    private final SigmaTable table = SigmaTable.stableDiffusion();
    private String modelHash;
    private boolean modelHashKnown;

    /**
     * @param model       the loaded checkpoint; the renderer does not close it
     * @param loraFolders where prompt tags' LoRA names are looked up
     * @param hashes      the checkpoint-hash cache, or null to leave the model hash out of the infotext
     */
    public Renderer(DiffusionModel model, LoraFolders loraFolders, FileHashes hashes) {
        this(model, loraFolders, hashes, defaultVersion());
    }

    /** As above, with the infotext's {@code Version} given (null: none). */
    public Renderer(DiffusionModel model, LoraFolders loraFolders, FileHashes hashes, String version) {
        this.model = Objects.requireNonNull(model, "model");
        this.loraFolders = Objects.requireNonNull(loraFolders, "loraFolders");
        this.hashes = hashes;
        this.version = version;
        this.loras = new RuntimeLoras(model);
    }

    /** {@code Lathe <bundle version>}, or {@code Lathe dev} outside OSGi. */
    public static String defaultVersion() {
        try {
            Bundle bundle = FrameworkUtil.getBundle(Renderer.class);
            return "Lathe " + (bundle == null ? "dev" : bundle.getVersion().toString());
        } catch (LinkageError e) {
            return "Lathe dev"; // no OSGi API on the class path (plain Java, tests)
        }
    }

    public DiffusionModel model() {
        return model;
    }

    /** The checkpoint's name as A1111 shows it: its file (or folder) name without extension. */
    public String modelName() {
        return LoraUse.stem(model.source());
    }

    /** A1111's model hash of the checkpoint (10 hex digits), computed once; null without a hash cache or for a folder. */
    public String modelHash() {
        if (!modelHashKnown) {
            try {
                modelHash = hashes == null ? null : hashes.modelHash(model.source());
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + model.source() + " to hash it: " + e.getMessage(), e);
            }
            modelHashKnown = true;
        }
        return modelHash;
    }

    public RenderedImage render(RenderRequest request) {
        return render(request, RenderListener.NONE);
    }

    /** Renders one image; {@code listener} hears about every step. */
    public RenderedImage render(RenderRequest request, RenderListener listener) {
        return onDjl(() -> renderOnDjl(request, listener));
    }

    private RenderedImage renderOnDjl(RenderRequest request, RenderListener listener) {
        SamplerNames.Choice choice = SamplerNames.resolve(request.sampler());
        ParsedPrompt parsed = PromptParser.parse(request.prompt());
        List<LoraUse> uses = new ArrayList<>();
        for (LoraTag tag : parsed.loras()) {
            uses.add(LoraUse.fromTag(tag, loraFolders.find(tag.name(), tag.tag())));
        }
        uses.addAll(request.loras());
        int downscale = model.vaeDownscale();
        if (request.width() % downscale != 0 || request.height() % downscale != 0) {
            throw new InvalidInputException("The image size " + request.width() + "x" + request.height() + " is not a "
                    + "multiple of " + downscale + ", the pixels per latent pixel of " + model.source().getFileName() + ".");
        }
        long seed = request.seed() >= 0 ? request.seed() : new SplittableRandom().nextLong(0, 4294967295L);
        RgbImage image;
        Map<String, String> loraHashes;
        try (RuntimeLoras.Active active = loras.attach(uses)) {
            image = sample(request, choice, seed, active, listener);
            loraHashes = active.hashes();
        }
        GenerationParameters parameters = new GenerationParameters(infotextPrompt(request), request.negativePrompt(),
                request.steps(), algorithmName(choice), GenerationParameters.scheduleType(choice.schedule()),
                request.cfgScale(), seed, request.width(), request.height(), modelHash(), modelName(), request.clipSkip(),
                RNG_SOURCE, loraHashes, version, Map.of());
        return new RenderedImage(image, parameters);
    }

    /** Renders one image into the PNG {@code file} (atomically) and returns what was written. */
    public RenderedImage renderTo(RenderRequest request, Path file, RenderListener listener) throws IOException {
        RenderedImage rendered = render(request, listener);
        rendered.write(file);
        return rendered;
    }

    private RgbImage sample(RenderRequest request, SamplerNames.Choice choice, long seed, RuntimeLoras.Active active,
            RenderListener listener) {
        try (NDScope scope = new NDScope(); Prompts prompts = new Prompts(request)) {
            scope.suppressNotUsedWarning();
            int steps = request.steps();
            double[] sigmas = choice.schedule().sigmas(table, steps);
            CompVisDenoiser network = new CompVisDenoiser((xIn, t, c) -> predict(xIn, t, c), table,
                    model.vPrediction() ? Prediction.V_PREDICTION : Prediction.EPSILON);
            Denoiser denoiser = (x, sigma) -> {
                if (active.apply(progress(sigmas, sigma)) || !prompts.encoded()) {
                    prompts.encode();
                }
                return Guidance.cfg(network, prompts.cond, prompts.uncond, request.cfgScale()).denoise(x, sigma);
            };
            SeededNoise noise = new SeededNoise(seed);
            int downscale = model.vaeDownscale();
            Shape shape = new Shape(1, LATENT_CHANNELS, request.height() / downscale, request.width() / downscale);
            NDArray start;
            try (NDArray unit = noise.draw(model.manager(), shape)) {
                start = unit.mul(choice.sampler().initialNoiseScale(sigmas));
            }
            StepCallback callback = (i, sigma, next, x, denoised) -> listener.onStep(i + 1, steps, active.applied());
            NDArray latent = choice.sampler().sample(denoiser, start, sigmas, noise, callback);
            NDArray decoded = model.decodeLatents(latent);
            long[] expected = {request.height(), request.width()};
            Shape got = decoded.getShape();
            if (got.get(got.dimension() - 2) != expected[0] || got.get(got.dimension() - 1) != expected[1]) {
                throw new IllegalStateException("the " + model.family() + " model decoded a " + got + " image for a "
                        + request.width() + "x" + request.height() + " render: its vaeDownscale() (" + downscale
                        + ") does not match its VAE");
            }
            return Pixels.toRgb(decoded);
        }
    }

    /** The network's prediction in the latent's dtype (a half-precision model answers in half precision). */
    private NDArray predict(NDArray xIn, NDArray timesteps, NDList conditioning) {
        NDArray out = model.predict(xIn, timesteps, Conditioning.of(conditioning));
        if (out.getDataType() == xIn.getDataType()) {
            return out;
        }
        try (out) {
            return out.toType(xIn.getDataType(), false);
        }
    }

    /**
     * Where sampling is when the model is evaluated at noise level {@code sigma}, from 0 (the first
     * step's level, {@code sigmas[0]}) to 1 (the last step's, {@code sigmas[steps - 1]}): step k is
     * at k / (steps − 1), and an evaluation between two levels (Heun's and DPM++ SDE's second
     * evaluation) at the linear interpolation between them. This is where LoRA strength schedules
     * are read; one step gives 0.
     */
    static double progress(double[] sigmas, double sigma) {
        int steps = sigmas.length - 1;
        if (steps <= 1 || sigma >= sigmas[0]) {
            return 0;
        }
        for (int k = 0; k < steps - 1; k++) {
            if (sigma >= sigmas[k + 1]) {
                double within = (sigmas[k] - sigma) / (sigmas[k] - sigmas[k + 1]);
                return (k + within) / (steps - 1);
            }
        }
        return 1;
    }

    /** The prompt as the infotext records it: the request's LoRAs added as tags, so that A1111 applies them too. */
    private static String infotextPrompt(RenderRequest request) {
        StringBuilder prompt = new StringBuilder(request.prompt());
        for (LoraUse lora : request.loras()) {
            if (!lora.fromPrompt()) {
                if (prompt.length() > 0) {
                    prompt.append(' ');
                }
                prompt.append(lora.tag());
            }
        }
        return prompt.toString();
    }

    /** A1111's sampler name without the schedule: "DPM++ 2M" for DPM++ 2M Karras. */
    static String algorithmName(SamplerNames.Choice choice) {
        String name = choice.displayName();
        return choice.schedule() == Schedule.KARRAS && name.endsWith(" Karras")
                ? name.substring(0, name.length() - " Karras".length()) : name;
    }

    private static <T> T onDjl(java.util.concurrent.Callable<T> work) {
        try {
            return TensorRuntime.call(work);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new RunFailedException("Rendering failed: " + e, e);
        }
    }

    @Override
    public void close() {
        loras.close();
    }

    /**
     * The prompt's and negative prompt's conditioning, encoded in one batch and split; kept out of
     * the sampler's step scopes (they live for the whole render) and freed on close.
     */
    private final class Prompts implements AutoCloseable {
        private final RenderRequest request;
        NDList cond;
        NDList uncond;

        Prompts(RenderRequest request) {
            this.request = request;
        }

        boolean encoded() {
            return cond != null;
        }

        void encode() {
            free();
            SizeConditioning size = SizeConditioning.of(request.width(), request.height());
            Conditioning both = model.encodePrompts(List.of(request.negativePrompt(), request.prompt()),
                    request.clipSkip(), List.of(size, size));
            try (NDList arrays = both.asList()) {
                NDList negative = new NDList();
                NDList positive = new NDList();
                for (NDArray array : arrays) {
                    negative.add(array.get("0:1"));
                    positive.add(array.get("1:2"));
                }
                if (request.negativePrompt().isEmpty()) {
                    // A1111 zeroes an empty negative prompt's SDXL text conditioning; the family decides
                    // (the arrays it replaces stay in this scope and are freed with it).
                    negative = model.emptyNegativePrompt(Conditioning.of(negative)).asList();
                }
                NDScope.unregister(negative);
                NDScope.unregister(positive);
                uncond = negative;
                cond = positive;
            }
        }

        private void free() {
            if (cond != null) {
                cond.close();
                uncond.close();
                cond = null;
                uncond = null;
            }
        }

        @Override
        public void close() {
            free();
        }
    }
}
