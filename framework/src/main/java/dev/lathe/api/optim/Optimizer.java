package dev.lathe.api.optim;

import java.util.List;

/**
 * An optimizer over fixed parameter groups. Not thread-safe; one training loop drives it.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #step()} updates every parameter that has a gradient, in place, outside any
 *       gradient collector. It does not clear gradients (the trainer does).</li>
 *   <li>State (moments, step count) is kept in float32 whatever the parameter dtype; a float16
 *       parameter is updated in float32 and written back.</li>
 *   <li>The trainer's learning-rate schedule calls {@link #setLearningRate} before each step,
 *       unless {@link #ownsSchedule()}: then the optimizer computes its own rate each step and
 *       {@link #learningRates()} reports it.</li>
 *   <li>{@link #state()} followed by {@link #restore} on a fresh optimizer over the same parameters
 *       continues with exactly the same updates.</li>
 * </ul>
 */
public interface Optimizer extends AutoCloseable {

    /** Applies one update from the current gradients. */
    void step();

    /** How many steps have been applied (restored state included). */
    long stepCount();

    /** Whether this optimizer computes its learning rate itself (no trainer schedule applies). */
    boolean ownsSchedule();

    /** Sets the learning rate of group {@code group} (index into the groups given at creation). */
    void setLearningRate(int group, double learningRate);

    /** The learning rate in effect per group at the last step (or the initial one before any step). */
    List<Double> learningRates();

    /** A snapshot of the optimizer state, copied off the device, for a resumable training state. */
    OptimizerState state();

    /**
     * Restores a snapshot taken by {@link #state()} of an optimizer of the same kind and options
     * over parameters with the same names and shapes.
     *
     * @throws dev.lathe.api.InvalidInputException when the snapshot does not match
     */
    void restore(OptimizerState state);

    /** Frees the native memory of the state. */
    @Override
    void close();
}
