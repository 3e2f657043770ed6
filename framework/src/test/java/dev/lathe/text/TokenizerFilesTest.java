package dev.lathe.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lathe.api.InvalidInputException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where tokenizer files are found, and the one-time download into the cache, against a local
 * HTTP server on 127.0.0.1 that plays the Hugging Face hub (never the real network).
 */
class TokenizerFilesTest {

    private static final TokenizerSource CLIP = TokenizerSource.CLIP_VIT_L;
    private static final String HUB_FOLDER = "/" + CLIP.hubRepository() + "/resolve/main/";

    @TempDir
    Path temp;

    private HttpServer hub;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();
    private Path cache;

    @BeforeEach
    void startHub() throws IOException {
        cache = temp.resolve("cache");
        hub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        hub.createContext("/", this::serve);
        hub.start();
        served.put(HUB_FOLDER + "vocab.json", SyntheticVocabulary.vocabJson());
        served.put(HUB_FOLDER + "merges.txt", SyntheticVocabulary.mergesTxt());
    }

    @AfterEach
    void stopHub() {
        hub.stop(0);
    }

    private void serve(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        String path = exchange.getRequestURI().getPath();
        String target = redirects.get(path);
        byte[] body = served.get(path);
        if (target != null) {
            exchange.getResponseHeaders().add("Location", target);
            exchange.sendResponseHeaders(302, -1);
        } else if (body == null) {
            byte[] notFound = "Entry not found".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(404, notFound.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(notFound);
            }
        } else {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    private TokenizerFiles files() {
        return new TokenizerFiles(cache, URI.create("http://127.0.0.1:" + hub.getAddress().getPort()), false);
    }

    @Test
    void aDiffusersCheckpointsTokenizerFolderIsUsed() throws IOException {
        Path model = temp.resolve("model");
        SyntheticVocabulary.writeHuggingFace(model.resolve("tokenizer"));
        SyntheticVocabulary.writeHuggingFace(model.resolve("tokenizer_2"));
        assertEquals(model.resolve("tokenizer"), files().locate(CLIP, model, null));
        assertEquals(model.resolve("tokenizer_2"), files().locate(TokenizerSource.OPEN_CLIP_VIT_BIGG, model, null));
        assertEquals(0, requests.get());
    }

    @Test
    void filesBesideASingleFileCheckpointAreUsed() throws IOException {
        Path checkpoint = Files.writeString(temp.resolve("model.safetensors"), "");
        SyntheticVocabulary.writeHuggingFace(temp);
        assertEquals(temp, files().locate(CLIP, checkpoint, null));
        ClipTokenizer tokenizer = files().load(CLIP, checkpoint, null);
        assertArrayEquals(SyntheticVocabulary.tokenizer().encode("red cat"), tokenizer.encode("red cat"));
        assertEquals(0, requests.get());
    }

    @Test
    void aConfiguredPathComesFirstAndMustHoldATokenizer() throws IOException {
        Path configured = SyntheticVocabulary.writeHuggingFace(temp.resolve("mine"));
        Path model = temp.resolve("model");
        SyntheticVocabulary.writeHuggingFace(model.resolve("tokenizer"));
        assertEquals(configured, files().locate(CLIP, model, configured));
        assertEquals(model.resolve("tokenizer"), files().locate(CLIP, null, model), "a diffusers folder configured");
        Path gz = SyntheticVocabulary.writeOpenAi(Files.createDirectory(temp.resolve("openai")));
        assertEquals(gz, files().locate(CLIP, null, gz));
        assertEquals(gz.getParent(), files().locate(CLIP, null, gz.getParent()));

        Path empty = Files.createDirectory(temp.resolve("empty"));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> files().locate(CLIP, model, empty));
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
        assertEquals(0, requests.get());
    }

    @Test
    void downloadsOnceIntoTheCache() throws IOException {
        Path located = files().locate(CLIP, null, null);
        assertEquals(cache.resolve("openai/clip-vit-large-patch14"), located);
        assertArrayEquals(SyntheticVocabulary.vocabJson(), Files.readAllBytes(located.resolve("vocab.json")));
        assertArrayEquals(SyntheticVocabulary.mergesTxt(), Files.readAllBytes(located.resolve("merges.txt")));
        assertEquals(List.of("merges.txt", "vocab.json"), fileNames(located), "no temporary files are left");
        assertEquals(2, requests.get());

        ClipTokenizer tokenizer = files().load(CLIP, temp.resolve("elsewhere.safetensors"), null);
        assertArrayEquals(SyntheticVocabulary.tokenizer().encode("a red dog"), tokenizer.encode("a red dog"));
        assertEquals(2, requests.get(), "the second time the cache answers");
    }

    @Test
    void followsTheHubsRedirects() throws IOException {
        redirects.put(HUB_FOLDER + "vocab.json", "/cdn/vocab");
        served.put("/cdn/vocab", SyntheticVocabulary.vocabJson());
        Path located = files().locate(CLIP, null, null);
        assertArrayEquals(SyntheticVocabulary.vocabJson(), Files.readAllBytes(located.resolve("vocab.json")));
    }

    @Test
    void aMissingFileOnTheHubSaysWhereToPutTheFiles() throws IOException {
        served.remove(HUB_FOLDER + "merges.txt");
        Path checkpoint = Files.writeString(temp.resolve("model.safetensors"), "");
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> files().locate(CLIP, checkpoint, null));
        String message = e.getMessage();
        assertTrue(message.contains("HTTP 404"), message);
        assertTrue(message.contains("vocab.json and merges.txt"), message);
        assertTrue(message.contains(cache.resolve("openai/clip-vit-large-patch14").toString()), message);
        assertTrue(message.contains(temp.toString()), "beside the checkpoint: " + message);
        assertTrue(message.contains("https://huggingface.co/openai/clip-vit-large-patch14"), message);
        assertCacheHoldsNothing();
    }

    @Test
    void anUnreachableHubIsAClearError() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        TokenizerFiles files = new TokenizerFiles(cache, URI.create("http://127.0.0.1:" + closedPort + "/"), false);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> files.locate(CLIP, null, null));
        assertTrue(e.getMessage().contains("could not connect"), e.getMessage());
        assertTrue(e.getMessage().contains(cache.resolve("openai/clip-vit-large-patch14").toString()), e.getMessage());
        assertCacheHoldsNothing();
    }

    @Test
    void filesThatAreNoTokenizerAreNotCached() throws IOException {
        served.put(HUB_FOLDER + "vocab.json", "<html>Sign in</html>".getBytes(StandardCharsets.UTF_8));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> files().locate(CLIP, null, null));
        assertTrue(e.getMessage().contains("not a CLIP tokenizer"), e.getMessage());
        assertCacheHoldsNothing();
    }

    @Test
    void offlineNeverAsksTheHub() {
        TokenizerFiles offline = new TokenizerFiles(cache, URI.create("http://127.0.0.1:" + hub.getAddress().getPort()),
                true);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> offline.locate(CLIP, null, null));
        assertTrue(e.getMessage().contains("offline"), e.getMessage());
        assertEquals(0, requests.get());
    }

    @Test
    void sourcesNameTheirPaddingToken() {
        ClipTokenizer tokenizer = SyntheticVocabulary.tokenizer();
        assertEquals(tokenizer.endOfText(), TokenizerSource.CLIP_VIT_L.padId(tokenizer));
        assertEquals(0, TokenizerSource.OPEN_CLIP_VIT_BIGG.padId(tokenizer), "\"!\" is the first byte symbol");
    }

    private void assertCacheHoldsNothing() throws IOException {
        Path folder = cache.resolve("openai/clip-vit-large-patch14");
        if (Files.isDirectory(folder)) {
            assertEquals(List.of(), fileNames(folder));
        }
        assertFalse(Files.exists(folder.resolve("vocab.json")));
    }

    private static List<String> fileNames(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
