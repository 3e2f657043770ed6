package dev.lathe.train.diffusion;

import ai.djl.ndarray.NDArray;
import java.util.Objects;

/**
 * The forward (noising) process of DDPM training and the targets a UNet learns, as diffusers'
 * {@code DDPMScheduler.add_noise} and {@code get_velocity} compute them for kohya-ss.
 *
 * <p>Timesteps are integers in {@code [0, T)}, one per batch element; the coefficients come from
 * the schedule's training (float32-cumprod) table. Results belong to {@code x0}'s manager: call
 * these inside the training step's {@code NDScope}.
 */
public final class ForwardProcess {

    private final NoiseSchedule schedule;

    public ForwardProcess(NoiseSchedule schedule) {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
    }

    public NoiseSchedule schedule() {
        return schedule;
    }

    /** {@code noisy = sqrt(a_t) * x0 + sqrt(1 - a_t) * noise}, per batch element. */
    public NDArray addNoise(NDArray x0, NDArray noise, long[] timesteps) {
        NDArray signal = coefficient(x0, timesteps, schedule::sqrtAlphaCumprod);
        NDArray noiseLevel = coefficient(x0, timesteps, schedule::sqrtOneMinusAlphaCumprod);
        return x0.mul(signal).add(noise.mul(noiseLevel));
    }

    /** The v-prediction target {@code v = sqrt(a_t) * noise - sqrt(1 - a_t) * x0}. */
    public NDArray velocity(NDArray x0, NDArray noise, long[] timesteps) {
        NDArray signal = coefficient(x0, timesteps, schedule::sqrtAlphaCumprod);
        NDArray noiseLevel = coefficient(x0, timesteps, schedule::sqrtOneMinusAlphaCumprod);
        return noise.mul(signal).sub(x0.mul(noiseLevel));
    }

    /** What a model of kind {@code prediction} is trained to output: the noise, or the velocity. */
    public NDArray target(Prediction prediction, NDArray x0, NDArray noise, long[] timesteps) {
        return switch (prediction) {
            case EPSILON -> noise;
            case V_PREDICTION -> velocity(x0, noise, timesteps);
        };
    }

    private NDArray coefficient(NDArray like, long[] timesteps, PerSample.OfTimestep quantity) {
        return PerSample.column(like, PerSample.values(timesteps, schedule.timesteps(), quantity));
    }
}
