package dev.lathe.api.optim;

import java.util.List;

/**
 * An optimizer over fixed parameter groups. Not thread-safe; one training loop drives it.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #step()} updates every parameter that requires a gradient, in place, outside any
 *       gradient collector (on any thread: implementations write through detached views, see
 *       {@link dev.lathe.optim.ParameterView}). It does not clear gradients (the trainer does). Parameters that do
 *       not require a gradient are left alone. One step counter serves all parameters.</li>
 *   <li>State (moments, step count) is kept in float32 whatever the parameter dtype; a float16
 *       parameter is updated in float32 and written back (rounded once). A float64 parameter keeps
 *       float64 state, so reference traces computed in float64 can be reproduced.</li>
 *   <li>The trainer's learning-rate schedule calls {@link #setLearningRate} before each step,
 *       unless {@link #ownsSchedule()}: then the optimizer computes its own rate each step,
 *       {@link #setLearningRate} is an error, and {@link #learningRates()} reports the computed
 *       rate for logging.</li>
 *   <li>{@link #state()} followed by {@link #restore} on a fresh optimizer (same factory, same
 *       options) over parameters with the same names, shapes and values continues with exactly
 *       the same updates, bit for bit.</li>
 *   <li>Temporaries of a step are freed before {@link #step()} returns: native memory stays flat
 *       over any number of steps.</li>
 * </ul>
 */
public interface Optimizer extends AutoCloseable {

    /** Applies one update from the current gradients. */
    void step();

    /** How many steps have been applied (restored state included). */
    long stepCount();

    /** Whether this optimizer computes its learning rate itself (no trainer schedule applies). */
    boolean ownsSchedule();

    /**
     * Sets the learning rate of group {@code group} (index into the groups given at creation) for
     * the following steps.
     *
     * @throws IllegalStateException when this optimizer {@linkplain #ownsSchedule() owns its schedule}
     */
    void setLearningRate(int group, double learningRate);

    /**
     * The learning rate per group, for logging: the rate the last step used (before any step, the
     * group's initial rate). An optimizer that owns its schedule and computes a rate per parameter
     * reports the rate of each group's first parameter, and before its first step the group's
     * initial rate or 0 if it has none (as transformers' {@code AdafactorSchedule} does, which is
     * what kohya-ss logs for Adafactor).
     */
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
