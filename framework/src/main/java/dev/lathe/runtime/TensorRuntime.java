package dev.lathe.runtime;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.lathe.api.InvalidInputException;
import java.util.concurrent.Callable;

/**
 * Entry to DJL's PyTorch engine for code running in bundles.
 *
 * <p>DJL finds engines through the thread context classloader, which inside a bundle is not the
 * one that sees DJL (it lives on the launcher's classpath). Every first touch of DJL from a bundle
 * therefore goes through {@link #call}. The natives come from the {@code pytorch-native-*} jar on
 * the classpath and are never downloaded; the launcher sets {@code DJL_OFFLINE} before DJL loads.
 */
public final class TensorRuntime {

    /** The engine Lathe runs on. */
    public static final String ENGINE = "PyTorch";

    private TensorRuntime() {
    }

    /** Runs {@code work} with the thread context classloader set to DJL's, restoring it after. */
    public static <T> T call(Callable<T> work) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(Engine.class.getClassLoader());
        try {
            return work.call();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** The PyTorch engine, loading its natives on first use. */
    public static Engine engine() {
        try {
            return call(() -> Engine.getEngine(ENGINE));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new root manager on {@code device}; close it (or use try-with-resources). */
    public static NDManager newManager(Device device) {
        return engine().newBaseManager(device);
    }

    /**
     * The device a config names: {@code cpu}, or {@code gpu} when a CUDA build of libtorch is on
     * the classpath and a GPU is visible.
     *
     * @throws InvalidInputException for any other name, or {@code gpu} without CUDA
     */
    public static Device device(String name) {
        String key = name == null ? "cpu" : name.trim().toLowerCase(java.util.Locale.ROOT);
        switch (key) {
            case "cpu":
                return Device.cpu();
            case "gpu":
            case "cuda":
                Engine engine = engine();
                if (engine.getGpuCount() > 0) {
                    return Device.gpu();
                }
                throw new InvalidInputException("The config asks for device \"gpu\", but the PyTorch runtime in this "
                        + "installation (" + engine.getVersion() + ") sees no CUDA GPU: either this build carries the "
                        + "CPU-only libtorch, or no NVIDIA driver/GPU is visible. Use \"device\": \"cpu\", or build "
                        + "Lathe with the CUDA runtime (mvn -Pgpu package) on a machine with an NVIDIA GPU.");
            default:
                throw new InvalidInputException("Unknown device \"" + name + "\": use \"cpu\" or \"gpu\".");
        }
    }

    /**
     * The compute type a config names for a model on {@code device}: {@code float32} (also
     * {@code fp32}, the default for null), or {@code float16} ({@code fp16}) on a GPU only (CPU
     * kernels for half precision are slow and inexact in libtorch).
     *
     * @throws InvalidInputException for any other name, or float16 on the CPU
     */
    public static DataType computeType(String name, Device device) {
        String key = name == null ? "float32" : name.trim().toLowerCase(java.util.Locale.ROOT);
        switch (key) {
            case "float32":
            case "fp32":
                return DataType.FLOAT32;
            case "float16":
            case "fp16":
                if (!device.isGpu()) {
                    throw new InvalidInputException("Compute type float16 runs on a GPU only (CPU kernels for half "
                            + "precision are slow and inexact in libtorch): use \"float32\" with device \"cpu\".");
                }
                return DataType.FLOAT16;
            default:
                throw new InvalidInputException("Unknown compute type \"" + name
                        + "\": use \"float32\", or \"float16\" on a GPU.");
        }
    }

    /** One line naming the engine, its version and devices, for {@code lathe --version}. */
    public static String describe() {
        Engine engine = engine();
        return engine.getEngineName() + " " + engine.getVersion() + " (GPUs visible: " + engine.getGpuCount() + ")";
    }
}
