package dev.lathe.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lathe.api.model.LoadOptions;
import dev.lathe.safetensors.DType;
import dev.lathe.safetensors.TensorInfo;
import dev.lathe.sdxl.SdxlModel;
import dev.lathe.sdxl.testing.RealSdxlCheckpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Memory of loading a full-size SDXL checkpoint (issue 8, item 6). Real SDXL weights are not on
 * the build machines, so {@code write} generates a checkpoint of the real single-file layout
 * ({@code sd_xl_base_1.0.safetensors}: names and shapes from {@code fixtures/train/lora_keys_sdxl.json}
 * via {@link RealSdxlCheckpoint}, F16 as released) with random weights, streamed to disk in 8 MB
 * pieces so that it never needs more than a few MB of heap; {@code load} loads it with the
 * product's loader (CPU, float32) and prints the process's memory figures.
 *
 * <pre>
 *   SdxlLoadMemory write FILE LORA_KEYS_SDXL_JSON
 *   SdxlLoadMemory load FILE
 * </pre>
 * Run {@code load} under {@code /usr/bin/time -v} for the peak RSS; {@code bench/run-sdxl-memory.sh}
 * does both and deletes the file.
 */
public final class SdxlLoadMemory {

    private static final int PIECE = 8 << 20;

    private SdxlLoadMemory() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "write" -> write(Path.of(args[1]), new ObjectMapper().readTree(Path.of(args[2]).toFile()));
            case "load" -> load(Path.of(args[1]));
            default -> throw new IllegalArgumentException("write FILE JSON | load FILE");
        }
    }

    static void write(Path file, com.fasterxml.jackson.databind.JsonNode loraKeys) throws IOException {
        Map<String, TensorInfo> header = RealSdxlCheckpoint.header(RealSdxlCheckpoint.layout(loraKeys), DType.F16);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.putObject("__metadata__").put("format", "pt").put("lathe_bench", "random weights, real SDXL base layout");
        long parameters = 0;
        for (TensorInfo t : header.values()) {
            ObjectNode entry = root.putObject(t.name());
            entry.put("dtype", t.dtype().code());
            var shape = entry.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            entry.putArray("data_offsets").add(t.begin()).add(t.end());
            parameters += t.elementCount();
        }
        byte[] text = json.writeValueAsBytes(root);
        int padded = (text.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(text);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        long start = System.nanoTime();
        long seed = 0x9E3779B97F4A7C15L;
        ByteBuffer piece = ByteBuffer.allocateDirect(PIECE).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            while (head.hasRemaining()) {
                out.write(head);
            }
            for (TensorInfo t : header.values()) {
                long remaining = t.end() - t.begin();
                boolean int64 = t.dtype() == DType.I64;
                long index = 0;
                while (remaining > 0) {
                    piece.clear();
                    int bytes = (int) Math.min(PIECE, remaining);
                    if (int64) {
                        for (int i = 0; i < bytes / 8; i++) {
                            piece.putLong(index++); // position ids 0..76
                        }
                    } else {
                        for (int i = 0; i < bytes / 8; i++) {
                            seed = xorshift(seed);
                            piece.putLong(smallHalves(seed));
                        }
                        for (int i = 0; i < bytes % 8 / 2; i++) { // a tensor of 1 to 3 values
                            seed = xorshift(seed);
                            piece.putShort((short) smallHalves(seed));
                        }
                    }
                    piece.flip();
                    while (piece.hasRemaining()) {
                        out.write(piece);
                    }
                    remaining -= bytes;
                }
            }
        }
        Files.move(partial, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.printf("wrote %s: %d tensors, %d parameters, %.2f GB in %.0f s%n", file, header.size(), parameters,
                Files.size(file) / 1e9, (System.nanoTime() - start) / 1e9);
    }

    private static long xorshift(long x) {
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        return x;
    }

    /** Four F16 values from 64 random bits: random sign and mantissa, exponents 2^-8 .. 2^-5 (|w| < 0.06). */
    private static long smallHalves(long bits) {
        long out = 0;
        for (int i = 0; i < 4; i++) {
            long r = bits >>> (16 * i);
            long sign = (r & 0x8000L);
            long exponent = 7 + ((r >>> 10) & 3); // biased: 2^(e-15)
            long mantissa = r & 0x3FF;
            out |= (sign | exponent << 10 | mantissa) << (16 * i);
        }
        return out;
    }

    static void load(Path file) throws IOException {
        Map<String, Long> before = memory();
        long start = System.nanoTime();
        try (SdxlModel model = SdxlModel.load(file, LoadOptions.cpuFloat32())) {
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Long> loaded = memory();
            Runtime rt = Runtime.getRuntime();
            long heapUsed = (rt.totalMemory() - rt.freeMemory()) >> 20;
            System.out.printf("RESULT {\"load_s\": %.1f, \"layers\": %d, \"heap_used_mb\": %d, \"heap_max_mb\": %d, "
                    + "\"before\": %s, \"loaded\": %s}%n", seconds, model.layers().size(), heapUsed, rt.maxMemory() >> 20,
                    json(before), json(loaded));
        }
        System.out.printf("RESULT {\"closed\": %s}%n", json(memory()));
    }

    /** VmRSS, RssAnon, RssFile and VmHWM of this process, in MB. */
    private static Map<String, Long> memory() throws IOException {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8)) {
            for (String key : new String[] {"VmRSS", "RssAnon", "RssFile", "VmHWM"}) {
                if (line.startsWith(key + ":")) {
                    out.put(key, Long.parseLong(line.replaceAll("[^0-9]", "")) >> 10);
                }
            }
        }
        return out;
    }

    private static String json(Map<String, Long> values) {
        StringBuilder s = new StringBuilder("{");
        values.forEach((k, v) -> s.append(s.length() > 1 ? ", " : "").append('"').append(k).append("_mb\": ").append(v));
        return s.append('}').toString();
    }
}
