package dev.lathe.nn.clip;

import ai.djl.ndarray.NDArray;
import dev.lathe.nn.Functional;
import dev.lathe.nn.LayerNorm;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Weights;

/**
 * One CLIP text transformer layer ({@code encoder.layers.i}):
 * <pre>
 *   x = x + self_attn( layer_norm1(x), causal )
 *   x = x + mlp.fc2( act( mlp.fc1( layer_norm2(x) ) ) )      act = quick GELU or GELU
 * </pre>
 */
public final class ClipEncoderLayer {

    final LayerNorm layerNorm1;
    final ClipAttention selfAttn;
    final LayerNorm layerNorm2;
    final Linear mlpFc1;
    final Linear mlpFc2;
    private final ClipTextConfig.Activation activation;
    private final NDArray c1702;

    private ClipEncoderLayer(Weights w, ClipTextConfig c) {
        layerNorm1 = LayerNorm.load(w.at("layer_norm1"), c.width(), c.layerNormEps());
        selfAttn = ClipAttention.load(w.at("self_attn"), c.width(), c.heads());
        layerNorm2 = LayerNorm.load(w.at("layer_norm2"), c.width(), c.layerNormEps());
        mlpFc1 = Linear.load(w.at("mlp.fc1"), c.width(), c.intermediate(), true);
        mlpFc2 = Linear.load(w.at("mlp.fc2"), c.intermediate(), c.width(), true);
        activation = c.activation();
        c1702 = w.constants().scalar(1.702f);
    }

    public static ClipEncoderLayer load(Weights w, ClipTextConfig config) {
        return new ClipEncoderLayer(w, config);
    }

    public NDArray forward(NDArray x, NDArray causalMask) {
        x = selfAttn.forward(layerNorm1.forward(x), causalMask).addi(x);
        NDArray hidden = mlpFc1.forward(layerNorm2.forward(x));
        hidden = activation == ClipTextConfig.Activation.QUICK_GELU
                ? Functional.quickGelu(hidden, c1702) : Functional.gelu(hidden);
        return mlpFc2.forward(hidden).addi(x);
    }
}
