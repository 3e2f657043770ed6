package dev.lathe.safetensors;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Pickle checkpoints are refused, by content first and by name second. */
class SafeTensorsPickleRefusalTest {

    /** How legacy torch.save output starts: protocol 2, then its magic number as a LONG1. */
    private static final byte[] LEGACY_TORCH = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c,
        0x46, (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e};
    /** How a ZIP archive (torch.save since PyTorch 1.6) starts: a local file header. */
    private static final byte[] TORCH_ZIP = {'P', 'K', 3, 4, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0};

    @TempDir
    Path temp;

    @ParameterizedTest
    @ValueSource(strings = {"model.ckpt", "model.pt", "model.pth", "pytorch_model.bin", "model.safetensors", "model"})
    void legacyPickleIsRefusedWhateverItsName(String name) throws IOException {
        assertRefused(TestFiles.bytes(temp, name, LEGACY_TORCH), "Python pickle");
    }

    @ParameterizedTest
    @ValueSource(strings = {"model.ckpt", "model.pt", "model.safetensors"})
    void torchZipIsRefusedWhateverItsName(String name) throws IOException {
        assertRefused(TestFiles.bytes(temp, name, TORCH_ZIP), "ZIP archive");
    }

    @Test
    void everyPickleProtocolFromTwoToFiveIsRecognized() throws IOException {
        for (int protocol = 2; protocol <= 5; protocol++) {
            byte[] pickle = {(byte) 0x80, (byte) protocol, (byte) 0x95, 0, 0, 0, 0, 0, 0, 0, '}', (byte) 0x94, '.'};
            assertRefused(TestFiles.bytes(temp, "p" + protocol + ".safetensors", pickle), "pickle");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"model.ckpt", "model.PT", "model.pth", "model.bin"})
    void otherContentWithAPickleNameIsRefused(String name) throws IOException {
        Path file = TestFiles.bytes(temp, name, "not a checkpoint at all".getBytes(StandardCharsets.US_ASCII));
        assertRefused(file, "named like a PyTorch checkpoint");
        assertTrue(Checkpoints.hasPickleExtension(file));
    }

    @Test
    void safetensorsWithAPickleNameIsRead() throws IOException {
        Path file = temp.resolve("lora.ckpt");
        SafeTensorsWriter.write(file, Map.of("w", Tensor.scalar(3f)), Map.of());
        assertDoesNotThrow(() -> Checkpoints.refusePickle(file));
        try (SafeTensorsFile in = SafeTensorsFile.open(file)) {
            assertEquals(3f, in.tensor("w").toFloatArray()[0]);
        }
    }

    /** A header of 0x0280-0x0580 bytes starts with bytes that look like a pickle marker. */
    @Test
    void headerLengthThatLooksLikeAPickleMarkerIsNotRefused() throws IOException {
        String start = "{\"__metadata__\":{\"pad\":\"";
        String end = "\"}}";
        String header = start + "x".repeat(0x0580 - start.length() - end.length()) + end;
        Path file = TestFiles.raw(temp, "lookalike.safetensors", header, 0);
        byte[] bytes = Files.readAllBytes(file);
        assertEquals(0x80, bytes[0] & 0xFF);
        assertEquals(0x05, bytes[1]);
        try (SafeTensorsFile in = SafeTensorsFile.open(file)) {
            assertTrue(in.tensors().isEmpty());
        }
    }

    @Test
    void otherBrokenFilesGetTheSafetensorsMessage() throws IOException {
        Path file = TestFiles.bytes(temp, "model.safetensors", "not a checkpoint at all".getBytes(StandardCharsets.US_ASCII));
        assertDoesNotThrow(() -> Checkpoints.refusePickle(file));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> SafeTensorsFile.open(file));
        assertFalse(e.getMessage().contains("pickle"), e.getMessage());
    }

    private static void assertRefused(Path file, String what) {
        for (var attempt : new org.junit.jupiter.api.function.Executable[] {
            () -> Checkpoints.refusePickle(file), () -> SafeTensorsFile.open(file).close()}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, attempt);
            for (String fragment : new String[] {file.toString(), what, "unpickling runs", "only .safetensors",
                "safetensors.torch.save_file"}) {
                assertTrue(e.getMessage().contains(fragment), () -> "\"" + fragment + "\" missing from: " + e.getMessage());
            }
        }
    }
}
