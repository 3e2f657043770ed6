package dev.lathe.runtime;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * Loops written in Java over the memory of float32 CPU arrays, and a way to run many of them
 * on libtorch's number of threads.
 *
 * <p>DJL exposes libtorch's basic element-wise operations but not its fused ones
 * ({@code addcmul_}, {@code addcdiv_}, {@code lerp_}), so an update like Adam's costs a dozen
 * passes over memory as DJL operations; written as one loop over {@link #memoryOf} it costs one.
 * Use it where that matters (optimizer steps over tens of millions of parameters) and keep the
 * DJL formulation for everything else: {@link #memoryOf} says when a loop cannot be used (GPU,
 * float64 or float16 arrays, non-contiguous arrays).
 */
public final class HostLoops {

    private static final int THREADS = threads();
    private static volatile ExecutorService helpers;

    private HostLoops() {
    }

    /** Threads a parallel loop uses: {@code ai.djl.pytorch.num_threads}, else {@code OMP_NUM_THREADS}, else processors. */
    public static int threads() {
        Integer configured = Integer.getInteger("ai.djl.pytorch.num_threads");
        if (configured == null) {
            String omp = System.getenv("OMP_NUM_THREADS");
            configured = omp != null && omp.matches("\\d+") ? Integer.valueOf(omp) : null;
        }
        return Math.max(1, configured != null ? configured : Runtime.getRuntime().availableProcessors());
    }

    /**
     * The memory of {@code arrays} as float buffers that read and write the arrays themselves,
     * or {@code null} when one of them is not a non-empty float32 array in CPU memory that Java
     * can address in place.
     */
    public static FloatBuffer[] memoryOf(NDArray... arrays) {
        FloatBuffer[] memory = new FloatBuffer[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            NDArray array = arrays[i];
            if (array.getDataType() != DataType.FLOAT32 || array.getDevice().isGpu() || array.size() == 0
                    || array.size() > Integer.MAX_VALUE / Float.BYTES) {
                return null;
            }
            ByteBuffer bytes = array.toByteBuffer(true);
            if (!bytes.isDirect() || !aliases(array, bytes)) {
                return null;
            }
            memory[i] = bytes.asFloatBuffer();
        }
        return memory;
    }

    /**
     * DJL hands out a direct buffer over the array's own memory when the array is contiguous,
     * and over a contiguous copy otherwise (where writes would be lost). Tell the two apart: a
     * change written through the first buffer shows in a second one only if both are the array.
     */
    private static boolean aliases(NDArray array, ByteBuffer memory) {
        int original = memory.getInt(0);
        memory.putInt(0, original ^ 1);
        try {
            return array.toByteBuffer(true).getInt(0) == (original ^ 1);
        } finally {
            memory.putInt(0, original);
        }
    }

    /**
     * Calls {@code work} for every index in {@code [0, count)}, on {@link #threads()} threads
     * (the caller included) that each claim the next index as they become free, so a thread
     * the OS delays only shifts work to the others. Returns when all calls have returned; the
     * first exception thrown by a call is rethrown.
     */
    public static void forEach(int count, IntConsumer work) {
        int threads = Math.min(THREADS, count);
        if (threads <= 1) {
            for (int i = 0; i < count; i++) {
                work.accept(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable claim = () -> {
            for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                work.accept(i);
            }
        };
        // Each helper first claims its own start; a helper the caller claims first never runs, so
        // the caller does not wait for the OS to schedule a thread that has nothing left to do.
        List<AtomicBoolean> started = new ArrayList<>(threads - 1);
        List<Future<?>> others = new ArrayList<>(threads - 1);
        for (int t = 1; t < threads; t++) {
            AtomicBoolean start = new AtomicBoolean();
            started.add(start);
            others.add(helpers().submit(() -> {
                if (start.compareAndSet(false, true)) {
                    claim.run();
                }
            }));
        }
        RuntimeException failure = null;
        try {
            claim.run();
        } catch (RuntimeException e) {
            failure = e;
            next.set(count); // stop the others early
        }
        for (int t = 0; t < others.size(); t++) {
            if (started.get(t).compareAndSet(false, true)) {
                continue;
            }
            try {
                others.get(t).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a parallel loop", e);
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static ExecutorService helpers() {
        ExecutorService pool = helpers;
        if (pool == null) {
            synchronized (HostLoops.class) {
                if (helpers == null) {
                    helpers = Executors.newFixedThreadPool(THREADS - 1, r -> {
                        Thread t = new Thread(r, "lathe-host-loop");
                        t.setDaemon(true);
                        return t;
                    });
                }
                pool = helpers;
            }
        }
        return pool;
    }
}
