package dev.lathe.safetensors;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each way a safetensors file can be broken gives an {@link InvalidInputException} that names
 * the file and the problem.
 */
class SafeTensorsValidationTest {

    private static final String A = "\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}";

    @TempDir
    Path temp;

    @Test
    void emptyFile() throws IOException {
        assertInvalid(TestFiles.bytes(temp, "empty.safetensors", new byte[0]), "empty");
    }

    @Test
    void fileShorterThanTheLengthField() throws IOException {
        assertInvalid(TestFiles.bytes(temp, "short.safetensors", new byte[] {16, 0, 0, 0, 0}), "only 5 bytes");
    }

    @Test
    void headerLengthBeyondTheEndOfTheFile() throws IOException {
        byte[] bytes = new byte[50];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(1000).put((byte) '{');
        assertInvalid(TestFiles.bytes(temp, "cut.safetensors", bytes), "header of 1000 bytes", "only 50 bytes");
    }

    @Test
    void absurdHeaderLength() throws IOException {
        byte[] bytes = new byte[64];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(200_000_000L).put((byte) '{');
        assertInvalid(TestFiles.bytes(temp, "huge.safetensors", bytes), "200000000 bytes", "limit");
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L);
        assertInvalid(TestFiles.bytes(temp, "huger.safetensors", bytes), "18446744073709551615 bytes");
    }

    @Test
    void headerNotUtf8() throws IOException {
        Path file = TestFiles.raw(temp, "latin1.safetensors", "{\"caf\u00e9\":1}", 0);
        byte[] bytes = Files.readAllBytes(file);
        bytes[8 + 5] = (byte) 0xE9; // "café" in Latin-1: a lone continuation-less lead byte in UTF-8
        bytes[8 + 6] = '"';
        bytes[8 + 7] = ':';
        assertInvalid(TestFiles.bytes(temp, "latin1.safetensors", bytes), "not valid UTF-8", "byte 5 of the header");
    }

    @Test
    void malformedJson() throws IOException {
        assertInvalid(TestFiles.raw(temp, "bad.safetensors", "{\n\"a\": {\"dtype\": \"F32\",, }}", 0),
                "not valid JSON", "line 2, column");
    }

    @Test
    void duplicateKeys() throws IOException {
        assertInvalid(TestFiles.raw(temp, "dup.safetensors", "{" + A + "," + A + "}", 16), "not valid JSON",
                "Duplicate field 'a'");
    }

    @Test
    void headerNotAnObject() throws IOException {
        assertInvalid(TestFiles.raw(temp, "array.safetensors", "[1, 2]", 0), "is an array", "not a JSON object");
    }

    @Test
    void headerOnlyBlanks() throws IOException {
        assertInvalid(TestFiles.raw(temp, "blank.safetensors", "        ", 0), "header is empty");
    }

    @Test
    void entryNotAnObject() throws IOException {
        assertInvalid(TestFiles.raw(temp, "five.safetensors", "{\"a\":5}", 0), "tensor \"a\" is a number");
    }

    @Test
    void entryLacksFields() throws IOException {
        assertInvalid(TestFiles.raw(temp, "noshape.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,16]}}", 16), "tensor \"a\" lacks \"shape\"");
        assertInvalid(TestFiles.raw(temp, "nothing.safetensors", "{\"a\":{}}", 0),
                "lacks \"dtype\" and \"shape\" and \"data_offsets\"");
    }

    @Test
    void unknownDtype() throws IOException {
        assertInvalid(TestFiles.raw(temp, "f128.safetensors",
                "{\"a\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,16]}}", 16),
                "dtype \"F128\"", "known dtypes: F64, F32, F16, BF16");
        assertInvalid(TestFiles.raw(temp, "numeric.safetensors",
                "{\"a\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "dtype of tensor \"a\" is a number");
    }

    @Test
    void negativeDimension() throws IOException {
        assertInvalid(TestFiles.raw(temp, "negative.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1,4],\"data_offsets\":[0,16]}}", 16),
                "shape [-1, 4]", "negative dimension -1");
    }

    @Test
    void shapeNotIntegers() throws IOException {
        assertInvalid(TestFiles.raw(temp, "fraction.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,16]}}", 16), "shape of tensor \"a\"",
                "[2.5]", "not an array of integers");
    }

    @Test
    void shapeTooLargeToAddress() throws IOException {
        assertInvalid(TestFiles.raw(temp, "overflow.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,16]}}", 16),
                "too many elements");
    }

    @Test
    void dataOffsetsNotTwoAscendingIntegers() throws IOException {
        for (String offsets : new String[] {"[0]", "[16,0]", "[-16,0]", "[0,16,32]", "[0.0,16]", "\"0,16\"",
                "[0,99999999999999999999999]"}) {
            assertInvalid(TestFiles.raw(temp, "offsets.safetensors",
                    "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":" + offsets + "}}", 16),
                    "data_offsets of tensor \"a\" are " + offsets, "begin <= end");
        }
    }

    @Test
    void byteCountDiffersFromShape() throws IOException {
        assertInvalid(TestFiles.raw(temp, "size.safetensors",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}}", 12),
                "F32 [2, 2]", "takes 16 bytes", "span 12 bytes");
    }

    @Test
    void offsetsBeyondTheDataSection() throws IOException {
        Path file = TestFiles.raw(temp, "far.safetensors",
                "{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[1000,1016]}}", 32);
        assertInvalid(file, "tensor \"b\"", "[1000, 1016]", "beyond the end", "32 bytes",
                "file size " + Files.size(file) + " bytes");
    }

    @Test
    void truncatedFile() throws IOException {
        Path file = TestFiles.raw(temp, "truncated.safetensors",
                "{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[16,32]}}", 24);
        assertInvalid(file, "describes 32 bytes of tensor data", "only 24 bytes", "8 missing", "incomplete");
    }

    @Test
    void overlappingTensors() throws IOException {
        assertInvalid(TestFiles.raw(temp, "overlap.safetensors",
                "{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}", 24),
                "\"a\"", "\"b\"", "overlap");
    }

    /** The reference rejects holes: each tensor must begin where the previous one ends. */
    @Test
    void holeBetweenTensors() throws IOException {
        assertInvalid(TestFiles.raw(temp, "hole.safetensors",
                "{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[20,36]}}", 36),
                "bytes 16 to 20", "between \"a\" and \"b\"", "without holes");
        assertInvalid(TestFiles.raw(temp, "lead.safetensors",
                "{\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[4,20]}}", 20),
                "bytes 0 to 4", "before the first tensor");
    }

    /** The reference also requires the last tensor to end where the file ends. */
    @Test
    void bytesAfterTheLastTensor() throws IOException {
        assertInvalid(TestFiles.raw(temp, "trailing.safetensors", "{" + A + "}", 20), "4 bytes after the end");
    }

    @Test
    void metadataNotAnObject() throws IOException {
        assertInvalid(TestFiles.raw(temp, "meta.safetensors", "{\"__metadata__\":\"v\"," + A + "}", 16),
                "\"__metadata__\" is a string", "mapping strings to strings");
    }

    @Test
    void metadataValueNotAString() throws IOException {
        assertInvalid(TestFiles.raw(temp, "meta.safetensors", "{\"__metadata__\":{\"ss_network_dim\":4}," + A + "}", 16),
                "\"ss_network_dim\" is a number (4)", "only string values");
    }

    @Test
    void missingFileAndFolder() {
        Path missing = temp.resolve("missing.safetensors");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SafeTensorsFile.open(missing));
        assertMentions(e, missing.toString(), "does not exist");
        e = assertThrows(InvalidInputException.class, () -> SafeTensorsFile.open(temp));
        assertMentions(e, temp.toString(), "is a folder");
    }

    @Test
    void readHeaderValidatesToo() throws IOException {
        Path file = TestFiles.raw(temp, "truncated.safetensors", "{" + A + "}", 8);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SafeTensorsFile.readHeader(file));
        assertMentions(e, file.toString(), "only 8 bytes");
    }

    private static void assertInvalid(Path file, String... fragments) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> {
            try (SafeTensorsFile ignored = SafeTensorsFile.open(file)) {
                // opening must fail
            }
        });
        String[] all = new String[fragments.length + 1];
        all[0] = file.toString();
        System.arraycopy(fragments, 0, all, 1, fragments.length);
        assertMentions(e, all);
    }

    private static void assertMentions(Exception e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), () -> "\"" + fragment + "\" missing from: " + e.getMessage());
        }
        assertTrue(!e.getMessage().contains("\n"), "one paragraph: " + e.getMessage());
    }
}
