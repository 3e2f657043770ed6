package dev.lathe.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link TorchCpuGenerator} and {@link SeededNoise} reproduce {@code torch.manual_seed(s);
 * torch.randn(n)} on the CPU: against MT19937's published outputs, against Debian's PyTorch 1.13
 * ({@code torch_randn_reference.json}, made by the script beside it), and against the libtorch 2.7.1
 * that Lathe itself runs on, called in-process through DJL.
 */
class SamplerNoiseTest {

    /** The C++ standard's check value for std::mt19937: the 10000th output from the default seed 5489. */
    @Test
    void engineIsMt19937() {
        TorchCpuGenerator generator = new TorchCpuGenerator(5489);
        assertEquals(3499211612L, generator.nextInt() & 0xFFFFFFFFL, "first output");
        for (int i = 1; i < 9999; i++) {
            generator.nextInt();
        }
        assertEquals(4123659995L, generator.nextInt() & 0xFFFFFFFFL, "10000th output");
    }

    @Test
    void matchesPyTorch113BitForBit() throws IOException {
        JsonNode reference = new ObjectMapper().readTree(SamplingFixtures.resource("torch_randn_reference.json").toFile());
        JsonNode draws = reference.get("draws");
        for (JsonNode seed : reference.get("seeds")) {
            long s = seed.get("seed").asLong();
            TorchCpuGenerator generator = new TorchCpuGenerator(s);
            for (int k = 0; k < draws.size(); k++) {
                int count = draws.get(k).get("count").asInt();
                float[] values = new float[count];
                if (draws.get(k).get("kind").asText().equals("randn")) {
                    generator.randn(values);
                } else {
                    for (int i = 0; i < count; i++) {
                        values[i] = generator.nextUniformFloat();
                    }
                }
                JsonNode expected = seed.get("draws").get(k);
                JsonNode first = expected.get("first");
                for (int i = 0; i < first.size(); i++) {
                    assertEquals((float) first.get(i).asDouble(), values[i], "seed " + s + " draw " + k + " value " + i);
                }
                assertEquals(expected.get("sha256").asText(), sha256(values), "seed " + s + " draw " + k + " (" + count + ")");
            }
        }
    }

    /**
     * The libtorch Lathe runs on, in this JVM: bit-exact on x86-64 with AVX2, where PyTorch takes
     * the Box–Muller kernel {@link TorchCpuGenerator} re-creates (elsewhere PyTorch's own values
     * differ, so the comparison is skipped).
     */
    @Test
    void matchesTheEmbeddedLibtorch() throws IOException {
        Assumptions.assumeTrue(hasAvx2(), "PyTorch uses its AVX2 kernel only on x86-64 CPUs with AVX2");
        Engine engine = Engine.getEngine("PyTorch");
        try (NDManager manager = SamplingFixtures.manager()) {
            for (int seed : new int[] {0, 7, 42, 31337, Integer.MAX_VALUE}) {
                engine.setRandomSeed(seed);
                TorchCpuGenerator generator = new TorchCpuGenerator(seed);
                for (int count : new int[] {256, 250, 1, 5, 15, 16, 17, 4 * 64 * 64, 4 * 96 * 128 + 3}) {
                    try (NDArray torch = manager.randomNormal(new Shape(count))) {
                        assertArrayEquals(torch.toFloatArray(), generator.randn(count), "seed " + seed + ", randn(" + count + ")");
                    }
                }
                try (NDArray torch = manager.randomUniform(0, 1, new Shape(100))) {
                    float[] uniform = new float[100];
                    for (int i = 0; i < uniform.length; i++) {
                        uniform[i] = generator.nextUniformFloat();
                    }
                    assertArrayEquals(torch.toFloatArray(), uniform, "seed " + seed + ", rand(100)");
                }
            }
        }
    }

    /** Like AUTOMATIC1111's per-image generators: image b's noise comes from seed b alone, and later draws continue it. */
    @Test
    void batchesDrawEachImageFromItsOwnSeed() {
        try (NDManager manager = SamplingFixtures.manager()) {
            Shape latent = new Shape(2, 4, 8, 8);
            SeededNoise noise = new SeededNoise(42, 43);
            NDArray start = noise.draw(manager, latent);
            NDArray next = noise.next(14.6, 10.7, start);
            assertEquals(DataType.FLOAT32, start.getDataType());
            assertEquals(latent, next.getShape());

            TorchCpuGenerator first = new TorchCpuGenerator(42);
            TorchCpuGenerator second = new TorchCpuGenerator(43);
            float[] expectedStart = concat(first.randn(256), second.randn(256));
            float[] expectedNext = concat(first.randn(256), second.randn(256));
            assertArrayEquals(expectedStart, start.toFloatArray());
            assertArrayEquals(expectedNext, next.toFloatArray());

            assertArrayEquals(expectedStart, new SeededNoise(42, 43).draw(manager, latent).toFloatArray(), "reproducible");
            assertNotEquals(start.get(0).toFloatArray()[0], start.get(1).toFloatArray()[0]);

            NDArray like64 = manager.zeros(new Shape(1, 4, 8, 8), DataType.FLOAT64);
            NDArray noise64 = new SeededNoise(42).next(1, 0.5, like64);
            assertEquals(DataType.FLOAT64, noise64.getDataType());
            float[] narrowed = noise64.toType(DataType.FLOAT32, false).toFloatArray();
            assertArrayEquals(new TorchCpuGenerator(42).randn(256), narrowed, "float32 draws widened exactly");

            assertThrows(IllegalArgumentException.class, () -> new SeededNoise(1, 2, 3).draw(manager, latent));
        }
    }

    @Test
    void onlyTheLow32BitsOfTheSeedCount() {
        assertArrayEquals(new TorchCpuGenerator(5).randn(64), new TorchCpuGenerator((1L << 32) + 5).randn(64));
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String sha256(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putFloat(v);
        }
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.array()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean hasAvx2() throws IOException {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        if (!arch.equals("amd64") && !arch.equals("x86_64")) {
            return false;
        }
        Path cpuinfo = Path.of("/proc/cpuinfo");
        return !Files.isReadable(cpuinfo) || Files.readString(cpuinfo).contains(" avx2");
    }
}
