package dev.lathe.sd15;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.Conditioning;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.model.LoraScope;
import dev.lathe.api.model.LoraTarget;
import dev.lathe.api.model.SizeConditioning;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.checkpoint.CheckpointFiles;
import dev.lathe.nn.AdaptableLayer;
import dev.lathe.nn.StoredRange;
import dev.lathe.nn.WeightSource;
import dev.lathe.nn.Weights;
import dev.lathe.nn.clip.ClipTextModel;
import dev.lathe.nn.clip.WindowedEncoding;
import dev.lathe.nn.vae.DiagonalGaussian;
import dev.lathe.nn.Scopes;
import dev.lathe.text.ClipTokenizer;
import dev.lathe.text.PromptChunker;
import dev.lathe.text.PromptChunks;
import dev.lathe.text.PromptParser;
import dev.lathe.text.TokenizerFiles;
import dev.lathe.text.TokenizerSource;
import dev.lathe.nn.unet.UNetModel;
import dev.lathe.nn.vae.AutoencoderKL;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.TensorInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A loaded SD 1.x/2.x checkpoint: text encoder, VAE and UNet with weights memory-mapped from the
 * file (F32 on the CPU: zero-copy views of the file; F16/BF16 converted once at load). Owns the
 * native memory of its weights: {@link #close()} it.
 *
 * <p>The forward passes are on the components ({@link ClipTextModel#encode}, {@link
 * AutoencoderKL#encode}/{@link AutoencoderKL#decode}, {@link UNetModel#forward}); they free their
 * temporaries and return arrays in the caller's {@link ai.djl.ndarray.NDScope} if one is open,
 * else in the input's manager. Latents for the UNet are VAE latents × {@link Sd15Architecture#LATENT_SCALE}.
 */
public final class Sd15Model implements DiffusionModel {

    public static final String FAMILY = "sd15";

    private final Path source;
    private final Sd15Architecture architecture;
    private final NDManager manager;
    private final ClipTextModel textEncoder;
    private final AutoencoderKL vae;
    private final UNetModel unet;
    private final Map<String, AdaptableLayer> layers;
    private final List<String> ignoredTensors;
    private final Map<String, TensorInfo> tensors;
    private final Path tokenizerLocation;
    private final Map<String, StoredRange> storage;
    private ClipTokenizer tokenizer;

    private Sd15Model(Path source, Sd15Architecture architecture, NDManager manager, ClipTextModel textEncoder,
                      AutoencoderKL vae, UNetModel unet, Map<String, AdaptableLayer> layers, List<String> ignored,
                      Map<String, TensorInfo> tensors, Map<String, StoredRange> storage, Path tokenizerLocation) {
        this.source = source;
        this.architecture = architecture;
        this.manager = manager;
        this.textEncoder = textEncoder;
        this.vae = vae;
        this.unet = unet;
        this.layers = layers;
        this.ignoredTensors = ignored;
        this.tensors = tensors;
        this.tokenizerLocation = tokenizerLocation;
        this.storage = storage;
    }

    /**
     * Loads a single-file checkpoint or a diffusers folder.
     *
     * @param options device {@code cpu} or {@code gpu}; compute type {@code float32}, or
     *                {@code float16} on a GPU (text encoder and UNet weights converted to half
     *                precision on the device, inputs converted to it, outputs in it; the VAE stays
     *                float32, as a float16 VAE can overflow into black images; untested here, as
     *                the build machines have no GPU)
     * @throws InvalidInputException for an unreadable file, an SDXL or other foreign checkpoint,
     *         or missing/misshapen tensors (listed)
     */
    public static Sd15Model load(Path checkpoint, LoadOptions options) {
        LoadOptions opts = options == null ? LoadOptions.cpuFloat32() : options;
        Device device = TensorRuntime.device(opts.device());
        DataType type = TensorRuntime.computeType(opts.computeType(), device);
        try (CheckpointFiles files = CheckpointFiles.open(checkpoint)) {
            Map<String, TensorInfo> raw = files.tensors();
            String sdxl = Sd15Layout.sdxlEvidence(raw);
            if (sdxl != null) {
                throw new InvalidInputException(checkpoint + " is an SDXL checkpoint (" + sdxl + "), not an SD 1.x/2.x "
                        + "one: load it with the model family \"sdxl\".");
            }
            WeightSource canonical = Sd15Layout.canonical(files.weights());
            ArchitectureInference.Result inferred = ArchitectureInference.infer(canonical.infos(), files.metadata(),
                    Sd15Layout.isDiffusers(raw), Sd15Layout.isOpenClip(raw));
            if (inferred.architecture() == null) {
                throw new InvalidInputException(checkpoint + " cannot be loaded as a Stable Diffusion 1.x/2.x checkpoint: "
                        + inferred.problem() + ". Check that the file is a complete SD checkpoint (not a LoRA, VAE or "
                        + "UNet-only file) and that the download finished.");
            }
            Sd15Architecture arch = inferred.architecture();
            NDManager manager = TensorRuntime.newManager(device);
            try {
                Weights w = Weights.load(canonical, manager, type);
                Parts parts = Parts.load(w, arch);
                if (!w.problems().isEmpty()) {
                    throw new InvalidInputException(incomplete(checkpoint.toString(), arch, w));
                }
                return new Sd15Model(checkpoint, arch, manager, parts.text, parts.vae, parts.unet, w.layers(), w.unused(),
                        Map.copyOf(raw), canonical.storedRanges(), opts.tokenizer());
            } catch (RuntimeException | Error e) {
                manager.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    /** The three components, loaded (or only checked) from canonical names. */
    record Parts(ClipTextModel text, AutoencoderKL vae, UNetModel unet) {
        static Parts load(Weights w, Sd15Architecture arch) {
            return new Parts(ClipTextModel.load(w.at("cond_stage_model.transformer.text_model"), arch.text()),
                    // float32 always: a float16 VAE can overflow and decode black images
                    AutoencoderKL.load(w.at("first_stage_model").as(DataType.FLOAT32), arch.vae()),
                    UNetModel.load(w.at("model.diffusion_model"), arch.unet()));
        }
    }

    /** The message for a checkpoint of the family with missing or misshapen tensors. */
    static String incomplete(String what, Sd15Architecture arch, Weights w) {
        int n = w.problems().size();
        return what + " is not a complete " + arch.variant() + " checkpoint: " + n + " tensor" + (n == 1 ? " is" : "s are")
                + " missing or of the wrong shape for the architecture inferred from it (UNet "
                + arch.unet().modelChannels() + " channels × " + arch.unet().channelMult() + ", text encoder "
                + arch.text().width() + " wide × " + arch.text().layers() + " layers): " + w.problemSummary(10)
                + ". The file may be damaged, truncated or converted wrongly; download or convert it again.";
    }

    @Override
    public String family() {
        return FAMILY;
    }

    @Override
    public Path source() {
        return source;
    }

    @Override
    public Map<String, Object> architecture() {
        return architecture.toMap();
    }

    /** The inferred architecture, typed. */
    public Sd15Architecture spec() {
        return architecture;
    }

    public ClipTextModel textEncoder() {
        return textEncoder;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    public UNetModel unet() {
        return unet;
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    /**
     * Every Linear and Conv2d of the model by checkpoint key prefix in canonical (single-file)
     * naming, e.g. {@code model.diffusion_model.input_blocks.1.1.proj_in}: where LoRA adapters attach.
     */
    @Override
    public Map<String, AdaptableLayer> layers() {
        return layers;
    }

    /** Tensors of the checkpoint no block uses (noise-schedule buffers, {@code position_ids}, EMA copies...). */
    public List<String> ignoredTensors() {
        return ignoredTensors;
    }

    /** The text conditioning {@code [B, N, width]} with the model's default clip skip. */
    public NDArray encodeText(NDArray inputIds) {
        return textEncoder.encode(inputIds, architecture.defaultClipSkip());
    }

    /**
     * The text conditioning with clip skip {@code clipSkip} counted as A1111 and kohya do on top of
     * the model's default (for SD 2.x single files, whose default is the penultimate layer, clip
     * skip 1 means that default).
     */
    public NDArray encodeText(NDArray inputIds, int clipSkip) {
        return textEncoder.encode(inputIds, clipSkip + architecture.defaultClipSkip() - 1);
    }

    @Override
    public String baseModelVersion() {
        return architecture.variant().startsWith("SD 2") ? "sd_v2" : "sd_v1";
    }

    @Override
    public boolean vPrediction() {
        return "v".equals(architecture.prediction());
    }

    @Override
    public float latentScale() {
        return Sd15Architecture.LATENT_SCALE;
    }

    @Override
    public int vaeDownscale() {
        return vae.config().downscale();
    }

    @Override
    public StoredRange storedAt(String key) {
        return storage.get(key);
    }

    @Override
    public List<LoraTarget> loraTargets(LoraScope scope) {
        return Sd15LoraTargets.targets(tensors, scope);
    }

    /**
     * The CLIP tokenizer: from the configured location, beside the checkpoint, from the cache, or
     * downloaded once (found on first use, so a model used without text needs none).
     */
    public synchronized ClipTokenizer tokenizer() {
        if (tokenizer == null) {
            tokenizer = TokenizerFiles.withDefaults().load(TokenizerSource.CLIP_VIT_L, source, tokenizerLocation);
        }
        return tokenizer;
    }

    @Override
    public Conditioning encodeCaptions(List<String> captions, int clipSkip, List<SizeConditioning> sizes) {
        List<int[]> windows = new ArrayList<>();
        for (String caption : captions) {
            windows.add(tokenizer().inputIds(caption));
        }
        return new Conditioning(Scopes.run(() -> encodeText(WindowedEncoding.ids(manager, windows), clipSkip)), null);
    }

    @Override
    public Conditioning encodePrompts(List<String> prompts, int clipSkip, List<SizeConditioning> sizes) {
        PromptChunker chunker = new PromptChunker(tokenizer(), tokenizer().endOfText());
        List<PromptChunks> chunks = new ArrayList<>();
        int windows = 1;
        for (String prompt : prompts) {
            PromptChunks c = chunker.chunk(PromptParser.parse(prompt).segments());
            chunks.add(c);
            windows = Math.max(windows, c.count());
        }
        List<PromptChunks> padded = new ArrayList<>();
        for (PromptChunks c : chunks) {
            padded.add(chunker.padTo(c, windows));
        }
        return new Conditioning(WindowedEncoding.encode(manager, padded, ids -> encodeText(ids, clipSkip)), null);
    }

    @Override
    public NDArray predict(NDArray noisyLatents, NDArray timesteps, Conditioning conditioning) {
        return unet.forward(noisyLatents, timesteps, conditioning.context());
    }

    @Override
    public NDArray encodeImages(NDArray images, NDArray noise) {
        return Scopes.run(() -> {
            try (DiagonalGaussian posterior = vae.encode(images)) {
                return posterior.sample(noise).muli(Sd15Architecture.LATENT_SCALE);
            }
        });
    }

    @Override
    public NDArray decodeLatents(NDArray latents) {
        return Scopes.run(() -> vae.decode(latents.div(Sd15Architecture.LATENT_SCALE)));
    }

    @Override
    public void close() {
        manager.close();
    }

    @Override
    public String toString() {
        return FAMILY + " " + architecture.variant() + " from " + source;
    }
}
