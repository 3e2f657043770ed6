package dev.lathe.stage.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lathe.api.RunFailedException;
import dev.lathe.api.model.Conditioning;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.api.optim.Optimizer;
import dev.lathe.api.optim.Parameter;
import dev.lathe.api.pipeline.Progress;
import dev.lathe.lora.LoraNetwork;
import dev.lathe.optim.Gradients;
import dev.lathe.train.diffusion.DiffusionLoss;
import dev.lathe.train.diffusion.ForwardProcess;
import dev.lathe.train.diffusion.Noise;
import dev.lathe.train.diffusion.NoiseSchedule;
import dev.lathe.train.diffusion.Prediction;
import dev.lathe.train.diffusion.UniformTimesteps;
import dev.lathe.train.schedule.LrSchedule;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The training loop of kohya-ss's {@code train_network.py}, for one LoRA on one model:
 *
 * <pre>
 * for each epoch, for each batch:
 *     noise ~ N(0, 1) (+ offset, + pyramid)        t ~ U{minTimestep .. maxTimestep-1}
 *     noisy = sqrt(ā_t)·latents + sqrt(1-ā_t)·noise
 *     loss  = mean_b( mean_CHW((unet(noisy, t, text(captions)) - target)²) · w_b · snrWeight(t_b) )
 *     backward(loss / accumulation)
 *     every accumulation batches: clip ‖grad‖, set the learning rates, optimizer step, zero grads
 * </pre>
 *
 * <p><b>Reproducibility.</b> Every random draw of a batch (noise, timesteps, LoRA dropouts) comes
 * from Java generators seeded by (seed, batch number), never from libtorch's global generator, so
 * a run resumed at a batch boundary draws exactly what the uninterrupted run drew.
 */
final class Trainer {

    /** What happens between batches: saving, sampling. */
    interface Checkpoints {
        /** After the optimizer step that ended global step {@code step}. */
        void afterStep(TrainProgress progress) throws Exception;

        /** After the last batch of {@code epoch}. */
        void afterEpoch(TrainProgress progress) throws Exception;
    }

    private final TrainSettings settings;
    private final DiffusionModel model;
    private final LoraNetwork network;
    private final List<List<Parameter>> groups;
    private final Optimizer optimizer;
    private final List<LrSchedule> schedules;
    private final List<Double> baseRates;
    private final TrainingData data;
    private final TrainLog log;
    private final Checkpoints checkpoints;
    private final ForwardProcess forward;
    private final DiffusionLoss loss;
    private final UniformTimesteps timesteps;
    private final Prediction prediction;
    private final BatchRandom dropoutRandom;
    private final TextCache textCache;

    Trainer(TrainSettings settings, DiffusionModel model, LoraNetwork network, List<List<Parameter>> groups,
            Optimizer optimizer, List<LrSchedule> schedules, List<Double> baseRates, TrainingData data, TrainLog log,
            Checkpoints checkpoints, BatchRandom dropoutRandom) {
        this.dropoutRandom = dropoutRandom;
        this.settings = settings;
        this.model = model;
        this.network = network;
        this.groups = groups;
        this.optimizer = optimizer;
        this.schedules = schedules;
        this.baseRates = baseRates;
        this.data = data;
        this.log = log;
        this.checkpoints = checkpoints;
        NoiseSchedule noise = NoiseSchedule.stableDiffusion();
        this.forward = new ForwardProcess(noise);
        this.prediction = settings.vParameterization() || model.vPrediction() ? Prediction.V_PREDICTION : Prediction.EPSILON;
        this.loss = new DiffusionLoss(noise, prediction, settings.lossWeighting());
        this.timesteps = new UniformTimesteps(settings.minTimestep(), settings.maxTimestep());
        this.textCache = new TextCache(model, settings.clipSkip());
    }

    /** Optimizer steps per epoch: batches / accumulation, rounded up (kohya's accelerate count). */
    static long stepsPerEpoch(int batches, int accumulation) {
        return (batches + accumulation - 1) / accumulation;
    }

    /**
     * Trains from {@code start} (a fresh {@link TrainProgress#start()} or a resumed state) to the
     * end, calling the checkpoints as it goes.
     */
    TrainProgress run(TrainProgress start, Supplier<Progress> bars) throws Exception {
        TrainProgress state = start;
        List<Parameter> all = new ArrayList<>();
        groups.forEach(all::addAll);
        all.forEach(p -> p.value().setRequiresGradient(true));
        int batches = data.batchesPerEpoch();
        long stepsPerEpoch = stepsPerEpoch(batches, settings.gradientAccumulation());
        long totalSteps = totalSteps(batches);
        try (TextCache cache = textCache; Progress bar = bars.get()) {
            bar.advance(state.step());
            for (int epoch = state.epoch(); epoch <= settings.epochs() && state.step() < totalSteps; epoch++) {
                List<? extends TrainingData.Batch> order = data.epoch(epoch);
                for (int b = state.batchInEpoch(); b < order.size() && state.step() < totalSteps; b++) {
                    long batchNumber = (long) (epoch - 1) * batches + b;
                    float value = trainBatch(order.get(b), batchNumber);
                    if (!Float.isFinite(value)) {
                        throw new RunFailedException("The loss became " + value + " at epoch " + epoch + ", batch " + (b + 1)
                                + ". Lower the learning rate, or check the dataset and the base checkpoint; the last saved"
                                + " state is still good to resume from with other settings.");
                    }
                    state = state.afterBatch(value);
                    boolean stepEnds = (b + 1) % settings.gradientAccumulation() == 0 || b + 1 == order.size();
                    if (stepEnds) {
                        List<Double> rates = optimizerStep(all, state.step());
                        state = state.afterStep(b + 1 == order.size() ? 0 : b + 1, rates);
                        log.step(state.step(), epoch, value, state.epochAverage(), rates);
                        bar.advance(1);
                        bar.status(String.format(java.util.Locale.ROOT, "epoch %d/%d loss %.4f avg %.4f", epoch,
                                settings.epochs(), value, state.epochAverage()));
                        checkpoints.afterStep(state);
                    }
                }
                if (state.batchInEpoch() == 0) {
                    log.epoch(epoch, state.step(), state.epochAverage());
                    state = state.nextEpoch();
                    checkpoints.afterEpoch(state);
                }
            }
        }
        return state;
    }

    /** Optimizer steps in the whole run: epochs × steps per epoch, capped by maxTrainSteps. */
    long totalSteps(int batches) {
        long steps = settings.epochs() * stepsPerEpoch(batches, settings.gradientAccumulation());
        return settings.maxTrainSteps() > 0 ? Math.min(steps, settings.maxTrainSteps()) : steps;
    }

    /** Forward and backward of one batch; gradients accumulate. Returns the (unscaled) loss. */
    private float trainBatch(TrainingData.Batch batch, long batchNumber) {
        SplittableRandom random = new SplittableRandom(mix(settings.seed(), batchNumber));
        dropoutRandom.reseed(mix(settings.seed() ^ 0x2545F4914F6CDD1DL, batchNumber));
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDManager manager = model.manager();
            NDArray latents = batch.latents(manager);
            int size = (int) latents.getShape().get(0);
            long[] t = timesteps.sample(size, random);
            NDArray noise = Noise.standardNormal(manager, latents.getShape(), random);
            noise = settings.noiseOffset().apply(latents, noise, random);
            noise = settings.pyramidNoise().apply(noise, random);
            NDArray tArray = manager.create(toFloats(t), new Shape(size));
            NDArray scale = manager.create(1f / settings.gradientAccumulation());
            Conditioning cached = settings.cacheTextEncoderOutputs() ? textCache.conditioning(batch) : null;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                Conditioning conditioning = cached != null ? cached
                        : model.encodeCaptions(batch.captions(), settings.clipSkip(), batch.sizes());
                NDArray noisy = forward.addNoise(latents, noise, t);
                NDArray predicted = model.predict(noisy, tArray, conditioning);
                NDArray target = forward.target(prediction, latents, noise, t);
                NDArray value = loss.loss(predicted, target, t, batch.lossWeights());
                collector.backward(value.mul(scale));
                return value.getFloat();
            }
        }
    }

    /** Clip, set the learning rates for this step, step, clear the gradients. Returns the rates used. */
    private List<Double> optimizerStep(List<Parameter> all, long stepsDone) {
        if (settings.maxGradNorm() > 0) {
            Gradients.clipGlobalNorm(all, settings.maxGradNorm());
        }
        if (!optimizer.ownsSchedule()) {
            for (int g = 0; g < schedules.size(); g++) {
                optimizer.setLearningRate(g, schedules.get(g).learningRate(baseRates.get(g), stepsDone));
            }
        }
        optimizer.step();
        Gradients.clear(all);
        return optimizer.learningRates();
    }

    private static float[] toFloats(long[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** SplitMix64 of the seed and a counter: independent streams per batch. */
    static long mix(long seed, long counter) {
        long z = seed + 0x9E3779B97F4A7C15L * (counter + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
