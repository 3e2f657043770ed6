package dev.lathe.stage.train;

import dev.lathe.lora.LoraAttachment;
import dev.lathe.lora.LoraNetwork;
import dev.lathe.lora.ModelLoras;
import java.util.List;

/**
 * The trained network attached to the model: with its dropouts while training, without them
 * while samples render (and without drawing from the training's dropout generator, so sampling
 * leaves training unchanged).
 */
final class TrainingAttachment implements AutoCloseable {

    private final LoraNetwork network;
    private final List<ModelLoras.Bound> bound;
    private final BatchRandom dropoutRandom;
    private LoraAttachment current;

    TrainingAttachment(LoraNetwork network, List<ModelLoras.Bound> bound, BatchRandom dropoutRandom) {
        this.network = network;
        this.bound = bound;
        this.dropoutRandom = dropoutRandom;
        this.current = LoraAttachment.attach(network, bound, dropoutRandom);
    }

    int size() {
        return current.size();
    }

    /** Runs {@code work} with the network attached for inference, then attaches it for training again. */
    <E extends Exception> void forInference(Work<E> work) throws E {
        current.close();
        current = LoraAttachment.attach(network, bound, null);
        try {
            work.run();
        } finally {
            current.close();
            current = LoraAttachment.attach(network, bound, dropoutRandom);
        }
    }

    @FunctionalInterface
    interface Work<E extends Exception> {
        void run() throws E;
    }

    @Override
    public void close() {
        current.close();
    }
}
