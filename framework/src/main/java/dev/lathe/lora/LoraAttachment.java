package dev.lathe.lora;

import dev.lathe.nn.AdaptableLayer;
import dev.lathe.nn.Adapter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A {@link LoraNetwork} attached to a model's layers as {@link Adapter}s, without touching the
 * base weights: each adapted layer then outputs {@code layer(x) + up(down(x)) · m · scale}.
 * Closing detaches every module again.
 */
public final class LoraAttachment implements AutoCloseable {

    private final List<Map.Entry<AdaptableLayer, Adapter>> attached = new ArrayList<>();

    private LoraAttachment() {
    }

    /**
     * Attaches every module of {@code network} to its layer in {@code bound}.
     *
     * @param training null for inference; else the generator the dropouts draw from (module and
     *                 rank dropout), which turns them on
     */
    public static LoraAttachment attach(LoraNetwork network, List<ModelLoras.Bound> bound, RandomGenerator training) {
        LoraAttachment attachment = new LoraAttachment();
        for (ModelLoras.Bound b : bound) {
            LoraModule module = network.module(b.spec().name()).orElseThrow(
                    () -> new IllegalArgumentException("the network has no module " + b.spec().name()));
            Adapter adapter = training == null ? module::delta : x -> module.delta(x, training);
            b.layer().addAdapter(adapter);
            attachment.attached.add(Map.entry(b.layer(), adapter));
        }
        return attachment;
    }

    /** How many layers are adapted. */
    public int size() {
        return attached.size();
    }

    @Override
    public void close() {
        for (Map.Entry<AdaptableLayer, Adapter> e : attached) {
            e.getKey().removeAdapter(e.getValue());
        }
        attached.clear();
    }
}
