package dev.lathe.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.lathe.api.InvalidInputException;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads and strictly validates a safetensors header, turning every violation into an
 * {@link InvalidInputException} that names the file, says what is wrong and what to do.
 *
 * <p>The rules are those of the reference implementation (huggingface/safetensors,
 * {@code Metadata::validate} and {@code read_metadata}): a header of at most 100 MB of UTF-8
 * JSON; an object whose keys are unique; per tensor a known dtype, a shape of non-negative
 * integers and {@code data_offsets [begin, end]} spanning exactly dtype size times element
 * count; and tensors that together cover the data section exactly, without overlaps, holes or
 * trailing bytes ("the last offset must be the end of the file"). Unknown keys inside a tensor
 * entry are ignored, as the reference does.
 */
final class HeaderReader {

    /** The reference implementation's limit; anything larger is a damaged or foreign file. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";

    private static final String DAMAGED = "The file is damaged or was written by a broken tool: "
            + "download or export it again.";
    private static final String INCOMPLETE = "The file is incomplete, probably from an interrupted download "
            + "or copy: download or copy it again.";

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    // Metadata strings (e.g. kohya's tag frequencies) may be long; the header limit bounds them.
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxStringLength((int) MAX_HEADER_BYTES).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION) // the format disallows duplicate keys
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path file;
    private final long fileSize;

    private HeaderReader(Path file, long fileSize) {
        this.file = file;
        this.fileSize = fileSize;
    }

    /** Reads the header of {@code file}, open as {@code channel}, refusing pickle checkpoints first. */
    static Header read(Path file, FileChannel channel) throws IOException {
        return new HeaderReader(file, channel.size()).read(channel);
    }

    private Header read(FileChannel channel) throws IOException {
        Checkpoints.refuseIfPickle(file, readBytes(channel, 0, (int) Math.min(fileSize, Checkpoints.PREFIX_BYTES)),
                fileSize);
        if (fileSize == 0) {
            throw invalid("the file is empty (0 bytes).", INCOMPLETE);
        }
        if (fileSize < 8) {
            throw invalid("the file is only " + fileSize + " bytes long, shorter than the 8-byte header length "
                    + "every safetensors file starts with.", INCOMPLETE);
        }
        long headerLength = ByteBuffer.wrap(readBytes(channel, 0, 8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        // Unsigned in the format: a negative long is a length above 2^63.
        if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
            throw invalid("its first 8 bytes declare a header of " + Long.toUnsignedString(headerLength)
                    + " bytes, more than the format's limit of " + MAX_HEADER_BYTES + " bytes.",
                    "This is not a safetensors file, or its beginning is damaged: check the file, or download it again.");
        }
        if (8 + headerLength > fileSize) {
            throw invalid("its first 8 bytes declare a header of " + headerLength + " bytes, but the file has only "
                    + fileSize + " bytes in all (" + (fileSize - 8) + " after the length field).",
                    "The file is truncated or is not a safetensors file: download or copy it again.");
        }
        String json = decodeUtf8(readBytes(channel, 8, (int) headerLength));
        Header header = parse(json, 8 + headerLength);
        checkLayout(header);
        return header;
    }

    private Header parse(String json, long dataOffset) {
        JsonNode root = parseJson(json);
        if (!root.isObject()) {
            throw invalid("the header is " + describe(root) + ", not a JSON object mapping tensor names to their "
                    + "dtype, shape and data_offsets.", DAMAGED);
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = parseMetadata(field.getValue());
            } else {
                tensors.put(field.getKey(), parseEntry(field.getKey(), field.getValue()));
            }
        }
        return new Header(Collections.unmodifiableMap(tensors), metadata, dataOffset, fileSize);
    }

    private JsonNode parseJson(String json) {
        if (json.isBlank()) {
            throw invalid("the header is empty: no JSON at all, only " + json.length() + " blanks.", DAMAGED);
        }
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + " of the header)";
            throw invalid("the header is not valid JSON: " + firstLine(e.getOriginalMessage()) + where + ".", DAMAGED, e);
        }
    }

    private Map<String, String> parseMetadata(JsonNode node) {
        if (node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw invalid("\"" + METADATA_KEY + "\" is " + describe(node) + ", but it must be an object mapping "
                    + "strings to strings.", DAMAGED);
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            JsonNode value = entry.getValue();
            if (!value.isTextual()) {
                throw invalid("the \"" + METADATA_KEY + "\" entry \"" + entry.getKey() + "\" is " + describe(value)
                        + " (" + abbreviate(value.toString()) + "), but the format allows only string values.",
                        "Re-save the file with every metadata value written as a string (nested values as JSON text).");
            }
            metadata.put(entry.getKey(), value.textValue());
        }
        return Collections.unmodifiableMap(metadata);
    }

    private TensorInfo parseEntry(String name, JsonNode entry) {
        if (!entry.isObject()) {
            throw invalid("the entry for tensor \"" + name + "\" is " + describe(entry)
                    + ", not an object with \"dtype\", \"shape\" and \"data_offsets\".", DAMAGED);
        }
        List<String> missing = new ArrayList<>();
        for (String key : List.of("dtype", "shape", "data_offsets")) {
            if (!entry.has(key)) {
                missing.add("\"" + key + "\"");
            }
        }
        if (!missing.isEmpty()) {
            throw invalid("the entry for tensor \"" + name + "\" lacks " + String.join(" and ", missing)
                    + " (every tensor needs \"dtype\", \"shape\" and \"data_offsets\"): " + abbreviate(entry.toString())
                    + ".", DAMAGED);
        }
        DType dtype = parseDtype(name, entry.get("dtype"));
        long[] shape = parseShape(name, entry.get("shape"));
        long[] offsets = parseOffsets(name, entry.get("data_offsets"));
        long bytes;
        try {
            bytes = Math.multiplyExact(Tensor.elementCount(shape), dtype.size());
        } catch (ArithmeticException e) {
            throw invalid("tensor \"" + name + "\" has shape " + Arrays.toString(shape)
                    + ", too many elements to address.", DAMAGED);
        }
        if (offsets[1] - offsets[0] != bytes) {
            throw invalid("tensor \"" + name + "\" is " + dtype + " " + Arrays.toString(shape) + ", which takes "
                    + bytes + " bytes (" + dtype.size() + " per element), but its data_offsets "
                    + Arrays.toString(offsets) + " span " + (offsets[1] - offsets[0]) + " bytes.", DAMAGED);
        }
        return new TensorInfo(name, dtype, shape, offsets[0], offsets[1]);
    }

    private DType parseDtype(String name, JsonNode node) {
        String known = Arrays.stream(DType.values()).map(DType::code).collect(Collectors.joining(", "));
        if (!node.isTextual()) {
            throw invalid("the dtype of tensor \"" + name + "\" is " + describe(node) + ", not a string such as \"F32\"; "
                    + "known dtypes: " + known + ".", DAMAGED);
        }
        return DType.fromCode(node.textValue()).orElseThrow(() -> invalid("tensor \"" + name + "\" has dtype \""
                + node.textValue() + "\", which Lathe does not know; known dtypes: " + known + ".",
                "Convert the file to F32, F16 or BF16 with the tool that made it."));
    }

    private long[] parseShape(String name, JsonNode node) {
        long[] shape = integers(node);
        if (shape == null) {
            throw invalid("the shape of tensor \"" + name + "\" is " + abbreviate(node.toString())
                    + ", not an array of integers.", DAMAGED);
        }
        for (long d : shape) {
            if (d < 0) {
                throw invalid("tensor \"" + name + "\" has shape " + Arrays.toString(shape)
                        + " with a negative dimension " + d + ".", DAMAGED);
            }
        }
        return shape;
    }

    private long[] parseOffsets(String name, JsonNode node) {
        long[] offsets = integers(node);
        if (offsets == null || offsets.length != 2 || offsets[0] < 0 || offsets[1] < offsets[0]) {
            throw invalid("the data_offsets of tensor \"" + name + "\" are " + abbreviate(node.toString())
                    + "; they must be two non-negative integers [begin, end] with begin <= end.", DAMAGED);
        }
        return offsets;
    }

    /** The values of a JSON array of integers that fit a long, or null when it is anything else. */
    private static long[] integers(JsonNode node) {
        if (!node.isArray()) {
            return null;
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode element = node.get(i);
            if (!element.isIntegralNumber() || !element.canConvertToLong()) {
                return null;
            }
            values[i] = element.longValue();
        }
        return values;
    }

    /**
     * Checks that the tensors tile the data section: sorted by offset, each begins where the
     * previous one ends, and the last ends at the end of the file.
     */
    private void checkLayout(Header header) {
        List<TensorInfo> byOffset = new ArrayList<>(header.tensors().values());
        byOffset.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long covered = 0;
        TensorInfo previous = null;
        String hole = null;
        for (TensorInfo t : byOffset) {
            if (t.begin() < covered) {
                throw invalid("tensors \"" + previous.name() + "\" (data_offsets [" + previous.begin() + ", "
                        + previous.end() + "]) and \"" + t.name() + "\" ([" + t.begin() + ", " + t.end()
                        + "]) overlap; each tensor must have bytes of its own.", DAMAGED);
            }
            if (t.begin() > covered && hole == null) {
                hole = "bytes " + covered + " to " + t.begin() + " of the data section belong to no tensor ("
                        + (previous == null ? "before the first tensor, \"" + t.name() + "\""
                                : "between \"" + previous.name() + "\" and \"" + t.name() + "\"") + ")";
            }
            covered = t.end();
            previous = t;
        }
        long available = header.dataSize();
        if (covered > available) {
            if (hole == null) {
                throw invalid("the header describes " + covered + " bytes of tensor data, but only " + available
                        + " bytes follow the header (file size " + fileSize + " bytes, " + (covered - available)
                        + " missing).", INCOMPLETE);
            }
            TensorInfo beyond = byOffset.stream().filter(t -> t.end() > available).findFirst().orElseThrow();
            throw invalid("tensor \"" + beyond.name() + "\" has data_offsets [" + beyond.begin() + ", " + beyond.end()
                    + "], beyond the end of the data section, which has " + available + " bytes (file size "
                    + fileSize + " bytes, header " + header.dataOffset() + " bytes).", DAMAGED);
        }
        if (hole != null) {
            throw invalid(hole + "; the format requires the tensors to cover the data section without holes.",
                    DAMAGED);
        }
        if (covered < available) {
            throw invalid("the file has " + (available - covered) + " bytes after the end of the last tensor (file size "
                    + fileSize + " bytes, tensors end at byte " + (header.dataOffset() + covered)
                    + "); the format requires the data to end where the last tensor ends.", DAMAGED);
        }
    }

    private String decodeUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never decodes to more chars than bytes
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int at = in.position();
            throw invalid("its header is not valid UTF-8 text (invalid byte 0x"
                    + String.format("%02X", bytes[Math.min(at, bytes.length - 1)] & 0xFF) + " at byte " + at
                    + " of the header, file offset " + (8 + at) + ").",
                    "This is not a safetensors file, or it is damaged: check the file, or download it again.");
        }
        return out.flip().toString();
    }

    private byte[] readBytes(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new EOFException(file + " ended at byte " + (position + buffer.position())
                        + " while reading its header; was it truncated while being read?");
            }
        }
        return buffer.array();
    }

    private InvalidInputException invalid(String problem, String advice) {
        return invalid(problem, advice, null);
    }

    private InvalidInputException invalid(String problem, String advice, Throwable cause) {
        return new InvalidInputException("Cannot read " + file + " as a safetensors file: " + problem + " " + advice,
                cause);
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "empty";
        };
    }

    private static String abbreviate(String text) {
        return text.length() <= 200 ? text : text.substring(0, 200) + "...";
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }
}
