package dev.lathe.sdxl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.Conditioning;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.api.model.LoraScope;
import dev.lathe.api.model.LoraTarget;
import dev.lathe.api.model.SizeConditioning;
import dev.lathe.checkpoint.CheckpointFiles;
import dev.lathe.lora.KohyaTargets;
import dev.lathe.lora.ModelPart;
import dev.lathe.nn.AdaptableLayer;
import dev.lathe.nn.Scopes;
import dev.lathe.nn.StoredRange;
import dev.lathe.nn.WeightSource;
import dev.lathe.nn.Weights;
import dev.lathe.nn.clip.ClipTextModel;
import dev.lathe.nn.clip.ClipTextProjection;
import dev.lathe.nn.clip.WindowedEncoding;
import dev.lathe.nn.unet.UNetModel;
import dev.lathe.nn.vae.AutoencoderKL;
import dev.lathe.nn.vae.DiagonalGaussian;
import dev.lathe.runtime.TensorRuntime;
import dev.lathe.safetensors.TensorInfo;
import dev.lathe.text.ClipTokenizer;
import dev.lathe.text.PromptChunker;
import dev.lathe.text.PromptChunks;
import dev.lathe.text.PromptParser;
import dev.lathe.text.PromptSegment;
import dev.lathe.text.TokenizerFiles;
import dev.lathe.text.TokenizerSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * A loaded SDXL checkpoint: two text encoders, VAE and UNet with weights memory-mapped from the
 * file (F32 on the CPU: zero-copy views of the file; F16/BF16 converted once at load). Owns the
 * native memory of its weights: {@link #close()} it.
 *
 * <p>Conditioning, as the reference implementation computes it:
 * <pre>
 *   context = concat( te1 hidden state L₁−1, te2 hidden state L₂−1 )     [B, 77·k, W₁+W₂], no final LayerNorms
 *   pooled  = te2.final_layer_norm( te2 hidden state L₂ )[end token] · text_projection    [B, P]
 *   vector  = concat( pooled, size embeddings of original (h, w), crop (top, left), target (h, w) )
 * </pre>
 * Text encoder 1 pads its windows with the end token, text encoder 2 with 0 ({@code !}). The VAE
 * always computes in float32 (SDXL's VAE overflows in float16); UNet latents are VAE latents ×
 * {@link SdxlArchitecture#LATENT_SCALE}.
 */
public final class SdxlModel implements DiffusionModel {

    public static final String FAMILY = "sdxl";

    /** kohya's {@code ss_base_model_version} for SDXL. */
    public static final String BASE_MODEL_VERSION = "sdxl_base_v1-0";

    /** Where kohya's LoRA module paths of each part start. */
    static final Map<ModelPart, String> LORA_PARTS = Map.of(
            ModelPart.TEXT_ENCODER_1, SdxlLayout.TE1_ROOT,
            ModelPart.TEXT_ENCODER_2, SdxlLayout.TE2_ROOT,
            ModelPart.UNET, SdxlLayout.UNET);

    private final Path source;
    private final SdxlArchitecture architecture;
    private final NDManager manager;
    private final Parts parts;
    private final Map<String, AdaptableLayer> layers;
    private final List<String> ignoredTensors;
    private final Path tokenizerLocation;
    private final Map<String, StoredRange> storage;
    private ClipTokenizer tokenizer1;
    private ClipTokenizer tokenizer2;

    private SdxlModel(Path source, SdxlArchitecture architecture, NDManager manager, Parts parts,
                      Map<String, AdaptableLayer> layers, List<String> ignored, Map<String, StoredRange> storage,
                      Path tokenizerLocation) {
        this.source = source;
        this.architecture = architecture;
        this.manager = manager;
        this.parts = parts;
        this.layers = layers;
        this.ignoredTensors = ignored;
        this.tokenizerLocation = tokenizerLocation;
        this.storage = storage;
    }

    /**
     * Loads a single-file checkpoint or a diffusers folder.
     *
     * @param options device {@code cpu} or {@code gpu}; compute type {@code float32}, or
     *                {@code float16} on a GPU (the VAE stays float32; untested here, as the build
     *                machines have no GPU)
     * @throws InvalidInputException for an unreadable file, an SD 1.x/2.x or other foreign
     *         checkpoint, or missing/misshapen tensors (listed)
     */
    public static SdxlModel load(Path checkpoint, LoadOptions options) {
        LoadOptions opts = options == null ? LoadOptions.cpuFloat32() : options;
        Device device = TensorRuntime.device(opts.device());
        DataType type = TensorRuntime.computeType(opts.computeType(), device);
        try (CheckpointFiles files = CheckpointFiles.open(checkpoint)) {
            Map<String, TensorInfo> raw = files.tensors();
            String foreign = foreignEvidence(raw);
            if (foreign != null) {
                throw new InvalidInputException(checkpoint + " " + foreign);
            }
            WeightSource canonical = SdxlLayout.canonical(files.weights());
            SdxlArchitectureInference.Result inferred = SdxlArchitectureInference.infer(canonical, files.metadata(),
                    SdxlLayout.isDiffusers(raw), SdxlLayout.isOpenClip(raw), isVPrediction(raw));
            if (inferred.architecture() == null) {
                throw new InvalidInputException(checkpoint + " cannot be loaded as an SDXL checkpoint: "
                        + inferred.problem() + ". Check that the file is a complete SDXL checkpoint (not a LoRA, VAE or "
                        + "UNet-only file) and that the download finished.");
            }
            SdxlArchitecture arch = inferred.architecture();
            NDManager manager = TensorRuntime.newManager(device);
            try {
                Weights w = Weights.load(canonical, manager, type);
                Parts parts = Parts.load(w, arch);
                if (!w.problems().isEmpty()) {
                    throw new InvalidInputException(incomplete(checkpoint.toString(), arch, w));
                }
                return new SdxlModel(checkpoint, arch, manager, parts, w.layers(), w.unused(), canonical.storedRanges(),
                        opts.tokenizer());
            } catch (RuntimeException | Error e) {
                manager.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    /**
     * Why a checkpoint belongs to no SDXL family member this plugin loads (an SD 1.x/2.x one, an
     * SDXL refiner), as the end of a sentence starting with its name; null for SDXL.
     */
    static String foreignEvidence(Map<String, TensorInfo> raw) {
        String sd1 = SdxlLayout.sd1Evidence(raw);
        if (sd1 != null) {
            return "is an SD 1.x/2.x checkpoint (" + sd1 + "), not an SDXL one: load it with the model family \"sd15\".";
        }
        String refiner = SdxlLayout.refinerEvidence(raw);
        if (refiner != null) {
            return "is an SDXL refiner checkpoint (" + refiner + "), which the sdxl family does not load: use an SDXL base "
                    + "checkpoint (or a fine-tune of it).";
        }
        return null;
    }

    /** Whether the checkpoint carries the {@code v_pred} marker tensor some v-prediction SDXL fine-tunes have. */
    static boolean isVPrediction(Map<String, TensorInfo> raw) {
        return raw.containsKey("v_pred");
    }

    /** The components, loaded (or only checked) from canonical names. */
    record Parts(ClipTextModel te1, ClipTextModel te2, ClipTextProjection te2Projection, AutoencoderKL vae,
                 UNetModel unet) {
        static Parts load(Weights w, SdxlArchitecture arch) {
            return new Parts(ClipTextModel.load(w.at(path(SdxlLayout.TE1)), arch.te1()),
                    ClipTextModel.load(w.at(path(SdxlLayout.TE2)), arch.te2()),
                    ClipTextProjection.load(w.at(path(SdxlLayout.TE2_ROOT)), arch.te2().width(), arch.projectionDim()),
                    // SDXL's VAE overflows in float16 (black images): it always computes in float32
                    AutoencoderKL.load(w.at(path(SdxlLayout.VAE)).as(DataType.FLOAT32), arch.vae()),
                    UNetModel.load(w.at(path(SdxlLayout.UNET)), arch.unet()));
        }

        /** A key prefix without its trailing dot, for {@link Weights#at}. */
        private static String path(String prefix) {
            return prefix.substring(0, prefix.length() - 1);
        }
    }

    /** The message for a checkpoint of the family with missing or misshapen tensors. */
    static String incomplete(String what, SdxlArchitecture arch, Weights w) {
        int n = w.problems().size();
        return what + " is not a complete SDXL checkpoint: " + n + " tensor" + (n == 1 ? " is" : "s are")
                + " missing or of the wrong shape for the architecture inferred from it (UNet "
                + arch.unet().modelChannels() + " channels × " + arch.unet().channelMult() + ", text encoders "
                + arch.te1().width() + " × " + arch.te1().layers() + " and " + arch.te2().width() + " × "
                + arch.te2().layers() + " layers): " + w.problemSummary(10)
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
    public SdxlArchitecture spec() {
        return architecture;
    }

    /** Text encoder 1 (CLIP ViT-L). */
    public ClipTextModel textEncoder1() {
        return parts.te1();
    }

    /** Text encoder 2 (OpenCLIP ViT-bigG). */
    public ClipTextModel textEncoder2() {
        return parts.te2();
    }

    public AutoencoderKL vae() {
        return parts.vae();
    }

    public UNetModel unet() {
        return parts.unet();
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    /**
     * Every Linear and Conv2d of the model by canonical key prefix ({@link SdxlLayout}), e.g.
     * {@code model.diffusion_model.input_blocks.4.1.proj_in} or
     * {@code conditioner.embedders.1.transformer.text_model.encoder.layers.0.self_attn.q_proj} (for a
     * single file a row view of the fused {@code in_proj_weight}): where LoRA adapters attach.
     */
    @Override
    public Map<String, AdaptableLayer> layers() {
        return layers;
    }

    /** Tensors of the checkpoint no block uses ({@code position_ids}, {@code logit_scale}, ...). */
    public List<String> ignoredTensors() {
        return ignoredTensors;
    }

    @Override
    public String baseModelVersion() {
        return BASE_MODEL_VERSION;
    }

    @Override
    public boolean vPrediction() {
        return "v".equals(architecture.prediction());
    }

    @Override
    public float latentScale() {
        return SdxlArchitecture.LATENT_SCALE;
    }

    @Override
    public int vaeDownscale() {
        return parts.vae().config().downscale();
    }

    /**
     * kohya's SDXL modules: text encoders 1 and 2 under Hugging Face paths
     * ({@code lora_te1_text_model_encoder_layers_0_self_attn_q_proj}), the UNet under its LDM
     * paths ({@code lora_unet_input_blocks_4_1_proj_in}, with LoCon {@code lora_unet_output_blocks_2_2_conv}).
     */
    @Override
    public List<LoraTarget> loraTargets(LoraScope scope) {
        return KohyaTargets.targets(layers, LORA_PARTS, scope);
    }

    @Override
    public StoredRange storedAt(String key) {
        return storage.get(key);
    }

    /** The outputs of both text encoders for one batch of token windows. */
    public record TextEncoding(NDArray te1Hidden, NDArray te2Hidden, NDArray pooled) {

        /** The UNet's cross-attention input: both hidden states side by side, encoder 1 first. */
        public NDArray context() {
            return te1Hidden.concat(te2Hidden, -1);
        }
    }

    /**
     * Both encoders on token ids {@code [B, 77]} (encoder 1 padded with the end token, encoder 2
     * with 0).
     *
     * @param clipSkip 1 for SDXL's usual layers (the penultimate hidden states); 2 one layer earlier
     */
    public TextEncoding encodeTokens(NDArray te1Ids, NDArray te2Ids, int clipSkip) {
        checkClipSkip(clipSkip);
        NDList out = Scopes.runAll(() -> {
            NDList second = encodeSecond(te2Ids, clipSkip);
            return new NDList(encodeFirst(te1Ids, clipSkip), second.get(0), second.get(1));
        });
        return new TextEncoding(out.get(0), out.get(1), out.get(2));
    }

    private void checkClipSkip(int clipSkip) {
        int maxSkip = Math.min(parts.te1().config().layers(), parts.te2().config().layers());
        if (clipSkip < 1 || clipSkip > maxSkip) {
            throw new IllegalArgumentException("clip skip must be 1.." + maxSkip + ", got " + clipSkip);
        }
    }

    /** Encoder 1's hidden state {@code L−clipSkip}, {@code [B, 77, W₁]}. */
    private NDArray encodeFirst(NDArray ids, int clipSkip) {
        ClipTextModel te1 = parts.te1();
        return Scopes.run(() -> {
            List<NDArray> states = te1.hiddenStates(ids, te1.config().layers() - clipSkip);
            return states.get(states.size() - 1);
        });
    }

    /**
     * Encoder 2's hidden state {@code L−clipSkip} {@code [B, 77, W₂]} and its pooled projection
     * {@code [B, P]} (always from the last layer, through the final LayerNorm, at the end token).
     */
    private NDList encodeSecond(NDArray ids, int clipSkip) {
        ClipTextModel te2 = parts.te2();
        int layers = te2.config().layers();
        return Scopes.runAll(() -> {
            List<NDArray> states = te2.hiddenStates(ids, layers);
            NDArray last = te2.finalLayerNorm(states.get(layers));
            NDArray pooled = parts.te2Projection().forward(ClipTextModel.pooled(last, ids));
            return new NDList(states.get(layers - clipSkip), pooled);
        });
    }

    /** {@code [B, 1536]} size embeddings (float32) of {@code sizes}. */
    public NDArray sizeEmbedding(List<SizeConditioning> sizes) {
        return Scopes.run(() -> SizeEmbedding.embed(manager, sizes));
    }

    /** The UNet's vector input: {@code pooled} followed by the size embeddings, in {@code pooled}'s type. */
    public NDArray vector(NDArray pooled, List<SizeConditioning> sizes) {
        return Scopes.run(() -> pooled.concat(SizeEmbedding.embed(manager, sizes).toType(pooled.getDataType(), false), 1));
    }

    /**
     * The tokenizer of text encoder 1 (CLIP ViT-L): from the configured location, beside the
     * checkpoint ({@code tokenizer/}), from the cache, or downloaded once (found on first use).
     */
    public synchronized ClipTokenizer tokenizer1() {
        if (tokenizer1 == null) {
            tokenizer1 = TokenizerFiles.withDefaults().load(TokenizerSource.CLIP_VIT_L, source, tokenizerLocation);
        }
        return tokenizer1;
    }

    /** The tokenizer of text encoder 2 (OpenCLIP ViT-bigG; the same vocabulary, padding with {@code !}). */
    public synchronized ClipTokenizer tokenizer2() {
        if (tokenizer2 == null) {
            tokenizer2 = TokenizerFiles.withDefaults().load(TokenizerSource.OPEN_CLIP_VIT_BIGG, source, tokenizerLocation);
        }
        return tokenizer2;
    }

    private int padId2() {
        return TokenizerSource.OPEN_CLIP_VIT_BIGG.padId(tokenizer2());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Each caption is one 77-token window per encoder (longer captions are cut to 75 tokens, as
     * kohya does by default); {@code sizes} null means 1024 × 1024, uncropped.
     */
    @Override
    public Conditioning encodeCaptions(List<String> captions, int clipSkip, List<SizeConditioning> sizes) {
        List<SizeConditioning> s = sizesFor(captions.size(), sizes);
        List<int[]> ids1 = new ArrayList<>();
        List<int[]> ids2 = new ArrayList<>();
        int pad2 = padId2();
        for (String caption : captions) {
            ids1.add(tokenizer1().inputIds(caption));
            ids2.add(tokenizer2().inputIds(caption, pad2));
        }
        NDList out = Scopes.runAll(() -> {
            TextEncoding text = encodeTokens(WindowedEncoding.ids(manager, ids1), WindowedEncoding.ids(manager, ids2), clipSkip);
            return new NDList(text.context(), vector(text.pooled(), s));
        });
        return new Conditioning(out.get(0), out.get(1));
    }

    /**
     * {@inheritDoc}
     *
     * <p>As AUTOMATIC1111 does for SDXL: both encoders see the same windows (encoder 2's padded
     * with 0 after the end token); emphasis is applied to each encoder's hidden states on its own;
     * the pooled vector comes from the first window. {@code sizes} null means 1024 × 1024, uncropped.
     */
    @Override
    public Conditioning encodePrompts(List<String> prompts, int clipSkip, List<SizeConditioning> sizes) {
        checkClipSkip(clipSkip);
        List<SizeConditioning> s = sizesFor(prompts.size(), sizes);
        List<PromptChunks> windows1 = windows(prompts, new PromptChunker(tokenizer1(), tokenizer1().endOfText()));
        List<PromptChunks> windows2 = windows(prompts, new PromptChunker(tokenizer2(), padId2()));
        if (windows1.get(0).count() != windows2.get(0).count()) {
            throw new IllegalStateException("the two tokenizers cut a prompt into different windows");
        }
        NDList out = Scopes.runAll(() -> {
            // each encoder runs over every window; encoder 2's runs also give the pooled vector
            NDArray hidden1 = WindowedEncoding.encode(manager, windows1, ids -> encodeFirst(ids, clipSkip));
            NDList second = WindowedEncoding.encodeWithSummary(manager, windows2, ids -> encodeSecond(ids, clipSkip));
            return new NDList(hidden1.concat(second.get(0), -1), vector(second.get(1), s));
        });
        return new Conditioning(out.get(0), out.get(1));
    }

    private static List<PromptChunks> windows(List<String> prompts, PromptChunker chunker) {
        List<PromptChunks> chunks = new ArrayList<>();
        int windows = 1;
        for (String prompt : prompts) {
            List<PromptSegment> segments = PromptParser.parse(prompt).segments();
            PromptChunks c = chunker.chunk(segments);
            chunks.add(c);
            windows = Math.max(windows, c.count());
        }
        List<PromptChunks> padded = new ArrayList<>();
        for (PromptChunks c : chunks) {
            padded.add(chunker.padTo(c, windows));
        }
        return padded;
    }

    private static List<SizeConditioning> sizesFor(int batch, List<SizeConditioning> sizes) {
        if (sizes == null) {
            return Collections.nCopies(batch, SizeConditioning.of(1024, 1024));
        }
        if (sizes.size() != batch) {
            throw new IllegalArgumentException(batch + " texts but " + sizes.size() + " size conditionings");
        }
        return sizes;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Zeros for the context and for the pooled text at the start of the vector; the size
     * embeddings after it stay. This is what AUTOMATIC1111 renders SDXL with when every negative
     * prompt of the batch is empty (its {@code force_zero_negative_prompt}, which zeroes the outputs
     * of the conditioner's text embedders but not those of its size embedders), and what diffusers'
     * SDXL pipelines do without a negative prompt ({@code force_zeros_for_empty_prompt}).
     */
    @Override
    public Conditioning emptyNegativePrompt(Conditioning encodedEmpty) {
        NDArray vector = encodedEmpty.vector();
        if (vector == null) {
            throw new IllegalArgumentException("SDXL conditioning has a vector (pooled text and size embeddings)");
        }
        String text = ":, :" + architecture.projectionDim();
        String size = ":, " + architecture.projectionDim() + ":";
        NDList out = Scopes.runAll(() -> new NDList(encodedEmpty.context().zerosLike(),
                vector.get(text).zerosLike().concat(vector.get(size), 1)));
        return new Conditioning(out.get(0), out.get(1));
    }

    /** {@inheritDoc} The conditioning must carry the vector ({@link Conditioning#vector()}). */
    @Override
    public NDArray predict(NDArray noisyLatents, NDArray timesteps, Conditioning conditioning) {
        if (conditioning.vector() == null) {
            throw new IllegalArgumentException("SDXL needs the conditioning vector (pooled text and size embeddings)");
        }
        return parts.unet().forward(noisyLatents, timesteps, conditioning.context(), conditioning.vector(), null);
    }

    /** {@inheritDoc} Computed in float32; the latents are float32. */
    @Override
    public NDArray encodeImages(NDArray images, NDArray noise) {
        return Scopes.run(() -> {
            try (DiagonalGaussian posterior = parts.vae().encode(images)) {
                return posterior.sample(noise.toType(DataType.FLOAT32, false)).muli(SdxlArchitecture.LATENT_SCALE);
            }
        });
    }

    /** {@inheritDoc} Computed in float32 whatever the model's compute type. */
    @Override
    public NDArray decodeLatents(NDArray latents) {
        return Scopes.run(() -> parts.vae().decode(latents.toType(DataType.FLOAT32, false).div(SdxlArchitecture.LATENT_SCALE)));
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
