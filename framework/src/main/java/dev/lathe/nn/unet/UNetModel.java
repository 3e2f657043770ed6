package dev.lathe.nn.unet;

import static dev.lathe.nn.Functional.silu;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.Functional;
import dev.lathe.nn.GroupNorm;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Scopes;
import dev.lathe.nn.Weights;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * The diffusion UNet of SD 1.x, SD 2.x and SDXL, assembled from a {@link UNetConfig} with LDM's
 * block numbering (keys below {@code model.diffusion_model.}).
 *
 * <pre>
 *   emb = time_embed.2( SiLU( time_embed.0( timestep_embedding(t, modelChannels) ) ) )
 *         [+ label_emb.0.2( SiLU( label_emb.0.0(y) ) )]                 SDXL only
 *   h = x;  hs = []
 *   input_blocks.0:  conv_in 3x3                                        push h
 *   for level L, j &lt; numResBlocks:  input_blocks.(1 + L·(R+1) + j) = ResBlock [+ SpatialTransformer]   push h
 *        after each level but the last: input_blocks.((L+1)·(R+1)) = Downsample                        push h
 *   middle_block = ResBlock, SpatialTransformer, ResBlock
 *   for up-level i (lowest resolution first, level L = levels-1-i), j ≤ numResBlocks:
 *        output_blocks.(i·(R+1) + j) = ResBlock( concat(h, pop) ) [+ SpatialTransformer] [+ Upsample at j = R, L &gt; 0]
 *   eps = out.2( SiLU( out.0(h) ) )
 * </pre>
 *
 * <p>Forward passes are functional over NDArrays (differentiable with DJL's autograd) and free
 * their temporaries block by block ({@link Scopes}); the result is registered in the caller's
 * {@link ai.djl.ndarray.NDScope} if one is open. Weights belong to the manager they were loaded
 * into; closing that manager frees the model.
 */
public final class UNetModel {

    private final UNetConfig config;
    private final DataType computeType;
    private final ai.djl.Device device;
    final Linear timeEmbed0;
    final Linear timeEmbed2;
    final Linear labelEmb00;
    final Linear labelEmb02;
    final List<UNetBlock> inputBlocks = new ArrayList<>();
    final UNetBlock middleBlock;
    final List<UNetBlock> outputBlocks = new ArrayList<>();
    final GroupNorm out0;
    final Conv2d out2;

    private UNetModel(Weights w, UNetConfig c) {
        this.config = c;
        this.computeType = w.computeType();
        this.device = w.device();
        int mc = c.modelChannels();
        int embDim = c.timeEmbedDim();
        int r = c.numResBlocks();
        timeEmbed0 = Linear.load(w.at("time_embed.0"), mc, embDim, true);
        timeEmbed2 = Linear.load(w.at("time_embed.2"), embDim, embDim, true);
        labelEmb00 = c.admInChannels() > 0 ? Linear.load(w.at("label_emb.0.0"), c.admInChannels(), embDim, true) : null;
        labelEmb02 = c.admInChannels() > 0 ? Linear.load(w.at("label_emb.0.2"), embDim, embDim, true) : null;

        Deque<Integer> skipChannels = new ArrayDeque<>();
        Conv2d convIn = Conv2d.load3x3(w.at("input_blocks.0.0"), c.inChannels(), mc);
        inputBlocks.add(new UNetBlock(List.of((h, emb, ctx) -> convIn.forward(h))));
        skipChannels.push(mc);
        int ch = mc;
        for (int level = 0; level < c.levels(); level++) {
            for (int j = 0; j < r; j++) {
                Weights block = w.at("input_blocks", inputBlocks.size());
                List<UNetLayer> layers = new ArrayList<>();
                layers.add(ResBlock.load(block.at("0"), ch, c.channels(level), embDim));
                ch = c.channels(level);
                if (c.transformerDepth().get(level) > 0) {
                    layers.add(transformer(block.at("1"), ch, c.transformerDepth().get(level)));
                }
                inputBlocks.add(new UNetBlock(layers));
                skipChannels.push(ch);
            }
            if (level < c.levels() - 1) {
                inputBlocks.add(new UNetBlock(List.of(Downsample.load(w.at("input_blocks", inputBlocks.size()).at("0"), ch))));
                skipChannels.push(ch);
            }
        }

        Weights middle = w.at("middle_block");
        List<UNetLayer> mid = new ArrayList<>();
        mid.add(ResBlock.load(middle.at("0"), ch, ch, embDim));
        if (c.middleTransformerDepth() > 0) {
            mid.add(transformer(middle.at("1"), ch, c.middleTransformerDepth()));
        }
        mid.add(ResBlock.load(middle.at(c.middleTransformerDepth() > 0 ? "2" : "1"), ch, ch, embDim));
        middleBlock = new UNetBlock(mid);

        for (int level = c.levels() - 1; level >= 0; level--) {
            for (int j = 0; j <= r; j++) {
                Weights block = w.at("output_blocks", outputBlocks.size());
                List<UNetLayer> layers = new ArrayList<>();
                layers.add(ResBlock.load(block.at("0"), ch + skipChannels.pop(), c.channels(level), embDim));
                ch = c.channels(level);
                if (c.transformerDepth().get(level) > 0) {
                    layers.add(transformer(block.at("1"), ch, c.transformerDepth().get(level)));
                }
                if (j == r && level > 0) {
                    layers.add(Upsample.load(block.at(String.valueOf(layers.size())), ch));
                }
                outputBlocks.add(new UNetBlock(layers));
            }
        }
        out0 = GroupNorm.load32(w.at("out.0"), ch, ResBlock.EPS);
        out2 = Conv2d.load3x3(w.at("out.2"), ch, c.outChannels());
    }

    private UNetLayer transformer(Weights w, int channels, int depth) {
        return SpatialTransformer.load(w, channels, depth, config.contextDim(), config.heads(channels),
                config.linearProjection());
    }

    /**
     * Loads the UNet at {@code w} (for a single-file SD checkpoint, {@code at("model.diffusion_model")}).
     * Problems (missing, misshapen tensors) are collected in {@code w}, not thrown.
     */
    public static UNetModel load(Weights w, UNetConfig config) {
        return new UNetModel(w, config);
    }

    public UNetConfig config() {
        return config;
    }

    /** The compute type of the weights; inputs are converted to it (and moved to the weights' device). */
    public DataType computeType() {
        return computeType;
    }

    /** ε (or v) prediction for SD 1.x/2.x: {@link #forward(NDArray, NDArray, NDArray, NDArray, BiConsumer)} without {@code y}. */
    public NDArray forward(NDArray x, NDArray timesteps, NDArray context) {
        return forward(x, timesteps, context, null, null);
    }

    /**
     * The network output for noisy latents {@code x [B, inChannels, H, W]} (H and W divisible by
     * 2^(levels-1)), {@code timesteps [B]} and {@code context [B, tokens, contextDim]}; {@code y
     * [B, admInChannels]} for SDXL, else null.
     *
     * @param probe if not null, receives named intermediate results while the forward runs:
     *              {@code time_embed_in}, {@code time_embed_out}, {@code input_blocks.i},
     *              {@code middle_block}, {@code output_blocks.i}; an array is valid only during the
     *              call (copy what you keep)
     * @return {@code [B, outChannels, H, W]} in the compute type
     */
    public NDArray forward(NDArray x, NDArray timesteps, NDArray context, NDArray y, BiConsumer<String, NDArray> probe) {
        checkInputs(x, timesteps, context, y);
        BiConsumer<String, NDArray> p = probe == null ? (name, array) -> { } : probe;
        return Scopes.run(() -> {
            NDArray tEmb = Functional.timestepEmbedding(Functional.prepare(timesteps, device, null),
                    config.modelChannels(), computeType);
            p.accept("time_embed_in", tEmb);
            NDArray emb = timeEmbed2.forward(silu(timeEmbed0.forward(tEmb)));
            if (labelEmb00 != null) {
                emb = emb.addi(labelEmb02.forward(silu(labelEmb00.forward(Functional.prepare(y, device, computeType)))));
            }
            p.accept("time_embed_out", emb);
            NDArray ctx = Functional.prepare(context, device, computeType);

            Deque<NDArray> hs = new ArrayDeque<>();
            NDArray h = Functional.prepare(x, device, computeType);
            for (int i = 0; i < inputBlocks.size(); i++) {
                h = run(inputBlocks.get(i), h, emb, ctx);
                hs.push(h);
                p.accept("input_blocks." + i, h);
            }
            h = run(middleBlock, h, emb, ctx);
            p.accept("middle_block", h);
            for (int i = 0; i < outputBlocks.size(); i++) {
                NDArray skip = hs.pop();
                NDArray joined = h.concat(skip, 1);
                h = run(outputBlocks.get(i), joined, emb, ctx);
                joined.close();
                p.accept("output_blocks." + i, h);
            }
            return out2.forward(silu(out0.forward(h)));
        });
    }

    private static NDArray run(UNetBlock block, NDArray h, NDArray emb, NDArray context) {
        return Scopes.run(() -> block.forward(h, emb, context));
    }

    private void checkInputs(NDArray x, NDArray timesteps, NDArray context, NDArray y) {
        Shape s = x.getShape();
        long factor = 1L << (config.levels() - 1);
        if (s.dimension() != 4 || s.get(1) != config.inChannels() || s.get(2) % factor != 0 || s.get(3) % factor != 0) {
            throw new IllegalArgumentException("UNet input must be [B, " + config.inChannels() + ", H, W] with H and W "
                    + "divisible by " + factor + ", got " + s);
        }
        if (timesteps.getShape().dimension() != 1 || timesteps.getShape().get(0) != s.get(0)) {
            throw new IllegalArgumentException("timesteps must be [" + s.get(0) + "], got " + timesteps.getShape());
        }
        Shape cs = context.getShape();
        if (cs.dimension() != 3 || cs.get(0) != s.get(0) || cs.get(2) != config.contextDim()) {
            throw new IllegalArgumentException("context must be [" + s.get(0) + ", tokens, " + config.contextDim()
                    + "], got " + cs);
        }
        if ((config.admInChannels() > 0) != (y != null)) {
            throw new IllegalArgumentException(config.admInChannels() > 0
                    ? "this UNet needs the vector input y [B, " + config.admInChannels() + "]"
                    : "this UNet takes no vector input y");
        }
    }
}
