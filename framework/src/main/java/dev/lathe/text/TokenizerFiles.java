package dev.lathe.text;

import dev.lathe.api.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Finds the tokenizer files a text encoder needs, downloading them once if they are nowhere on
 * disk, as kohya-ss's scripts do. Places, in order:
 * <ol>
 * <li>the configured path, when there is one: a folder holding {@code vocab.json} and
 *     {@code merges.txt} (or OpenAI's {@code bpe_simple_vocab_16e6.txt.gz}), that folder's
 *     {@code tokenizer}/{@code tokenizer_2} subfolder (a diffusers checkpoint), or the
 *     {@code .gz} file; a configured path without them is an error, never silently passed over;
 * <li>beside the checkpoint: for a diffusers folder its {@code tokenizer/} (or
 *     {@code tokenizer_2/}); for a single file, that subfolder next to it, then
 *     {@code vocab.json} and {@code merges.txt} next to it;
 * <li>the cache, {@code <cache>/<repository>/} ({@code ~/.cache/lathe/tokenizers/openai/clip-vit-large-patch14/});
 * <li>the Hugging Face hub: {@code <hub>/<repository>/resolve/main/vocab.json} and
 *     {@code merges.txt} are downloaded into the cache — each to a temporary file in the cache
 *     folder, checked to form a working tokenizer, then renamed into place, so the cache never
 *     holds a partial or foreign file.
 * </ol>
 * Offline (or with the hub unreachable or refusing) and with the files nowhere, the error says
 * which files to put where.
 */
public final class TokenizerFiles {

    /** The Hugging Face hub. */
    public static final URI HUGGING_FACE_HUB = URI.create("https://huggingface.co/");

    static final String VOCAB_JSON = "vocab.json";
    static final String MERGES_TXT = "merges.txt";
    static final String OPENAI_VOCABULARY = "bpe_simple_vocab_16e6.txt.gz";

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(2);

    private final Path cacheRoot;
    private final URI hub;
    private final boolean offline;

    /**
     * @param cacheRoot where downloaded tokenizers are kept, one folder per repository
     * @param hub       the hub's base address ({@link #HUGGING_FACE_HUB}, a mirror, or a test server)
     * @param offline   never download; a tokenizer that is not on disk is an error
     */
    public TokenizerFiles(Path cacheRoot, URI hub, boolean offline) {
        this.cacheRoot = cacheRoot;
        this.hub = hub;
        this.offline = offline;
    }

    /**
     * The usual settings: cache {@code ~/.cache/lathe/tokenizers}, the hub at {@code HF_ENDPOINT}
     * if set (as Hugging Face's own tools read it), else {@link #HUGGING_FACE_HUB}, offline when
     * {@code HF_HUB_OFFLINE} is {@code 1} or {@code true}.
     */
    public static TokenizerFiles withDefaults() {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "lathe", "tokenizers");
        String endpoint = System.getenv("HF_ENDPOINT");
        URI hub = endpoint == null || endpoint.isBlank() ? HUGGING_FACE_HUB : URI.create(endpoint.trim());
        String offline = System.getenv("HF_HUB_OFFLINE");
        return new TokenizerFiles(cache, hub, "1".equals(offline) || "true".equalsIgnoreCase(offline));
    }

    /**
     * Loads the tokenizer of {@code source}, looking in the places listed in the class description.
     *
     * @param checkpoint the checkpoint file or diffusers folder, or null
     * @param configured a path the user configured, or null
     * @throws InvalidInputException when the files are nowhere and cannot be downloaded, or damaged
     */
    public ClipTokenizer load(TokenizerSource source, Path checkpoint, Path configured) {
        return ClipTokenizer.load(locate(source, checkpoint, configured));
    }

    /**
     * Where the tokenizer of {@code source} is: a folder holding {@code vocab.json} and
     * {@code merges.txt} or OpenAI's file, or that {@code .gz} file; downloaded into the cache if
     * it is nowhere else. {@link ClipTokenizer#load} reads it.
     */
    public Path locate(TokenizerSource source, Path checkpoint, Path configured) {
        if (configured != null) {
            return configuredLocation(source, configured);
        }
        List<Path> searched = new ArrayList<>(besideCheckpoint(source, checkpoint));
        Path cached = cacheFolder(source);
        searched.add(cached);
        for (Path candidate : searched) {
            if (holdsTokenizer(candidate)) {
                return candidate;
            }
        }
        download(source, searched);
        return cached;
    }

    /** Where a tokenizer may lie beside {@code checkpoint}, the place to suggest last. */
    private static List<Path> besideCheckpoint(TokenizerSource source, Path checkpoint) {
        if (checkpoint == null) {
            return List.of();
        }
        if (Files.isDirectory(checkpoint)) {
            return List.of(checkpoint.resolve(source.subfolder()));
        }
        Path folder = checkpoint.toAbsolutePath().getParent();
        return List.of(folder.resolve(source.subfolder()), folder);
    }

    /** The cache folder of {@code source}'s repository. */
    public Path cacheFolder(TokenizerSource source) {
        return cacheRoot.resolve(source.hubRepository());
    }

    private Path configuredLocation(TokenizerSource source, Path configured) {
        if (Files.isRegularFile(configured) && configured.getFileName().toString().endsWith(".gz")) {
            return configured;
        }
        for (Path candidate : List.of(configured, configured.resolve(source.subfolder()))) {
            if (holdsTokenizer(candidate)) {
                return candidate;
            }
        }
        throw new InvalidInputException("The configured tokenizer path " + configured + " holds no CLIP tokenizer: "
                + "Lathe looks there for vocab.json and merges.txt (or OpenAI's " + OPENAI_VOCABULARY + "), also in "
                + "its " + source.subfolder() + "/ subfolder. Put vocab.json and merges.txt from "
                + repositoryPage(source) + " there, or remove the setting to let Lathe find or download them.");
    }

    private static boolean holdsTokenizer(Path folder) {
        return (Files.isRegularFile(folder.resolve(VOCAB_JSON)) && Files.isRegularFile(folder.resolve(MERGES_TXT)))
                || Files.isRegularFile(folder.resolve(OPENAI_VOCABULARY));
    }

    private void download(TokenizerSource source, List<Path> searched) {
        if (offline) {
            throw notFound(source, searched, "offline mode is on (HF_HUB_OFFLINE), so Lathe did not try to download "
                    + "them");
        }
        Path folder = cacheFolder(source);
        Map<String, Path> downloaded = new LinkedHashMap<>();
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NORMAL) // the hub redirects to its CDN
                .build();
        try {
            Files.createDirectories(folder);
            for (String name : List.of(VOCAB_JSON, MERGES_TXT)) {
                Path temp = Files.createTempFile(folder, name + ".", ".part");
                downloaded.put(name, temp);
                fetch(client, fileUri(source, name), temp);
            }
            checkTokenizer(source, searched, downloaded);
            for (Map.Entry<String, Path> file : downloaded.entrySet()) {
                moveIntoPlace(file.getValue(), folder.resolve(file.getKey()));
            }
        } catch (IOException e) {
            throw notFound(source, searched, "downloading them from " + hubFolder(source) + " failed ("
                    + describe(e) + ")");
        } finally {
            for (Path temp : downloaded.values()) {
                deleteQuietly(temp);
            }
        }
    }

    private static void fetch(HttpClient client, URI uri, Path target) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(DOWNLOAD_TIMEOUT).GET().build();
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new IOException("HTTP " + response.statusCode() + " for " + uri);
                }
                Files.copy(body, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + uri, e);
        }
    }

    /** Refuses downloads that do not make a tokenizer (a login page served as 200, a cut-off file). */
    private void checkTokenizer(TokenizerSource source, List<Path> searched, Map<String, Path> downloaded) {
        try {
            ClipTokenizer.fromHuggingFace(downloaded.get(VOCAB_JSON), downloaded.get(MERGES_TXT));
        } catch (InvalidInputException e) {
            throw notFound(source, searched, "the files downloaded from " + hubFolder(source) + " are not a CLIP "
                    + "tokenizer (" + e.getMessage() + ")");
        }
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private InvalidInputException notFound(TokenizerSource source, List<Path> searched, String why) {
        String places = searched.stream().map(Path::toString).collect(Collectors.joining(", "));
        // the last place beside the checkpoint: its tokenizer/ folder, or the single file's folder
        String beside = searched.size() > 1 ? " (or into " + searched.get(searched.size() - 2) + ")" : "";
        return new InvalidInputException("Lathe needs the tokenizer files vocab.json and merges.txt of "
                + source.hubRepository() + " and found them in none of " + places + "; " + why + ". Download "
                + "vocab.json and merges.txt from " + repositoryPage(source) + " and put both into "
                + cacheFolder(source) + beside
                + ", or configure the tokenizer path as a folder that holds them.");
    }

    private URI fileUri(TokenizerSource source, String name) {
        return URI.create(hubFolder(source) + name);
    }

    private String hubFolder(TokenizerSource source) {
        String base = hub.toString().replaceAll("/+$", "");
        return base + "/" + source.hubRepository() + "/resolve/main/";
    }

    private static String repositoryPage(TokenizerSource source) {
        return HUGGING_FACE_HUB + source.hubRepository() + "/tree/main";
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        if (e instanceof ConnectException) {
            return "could not connect" + (message == null ? "" : ": " + message);
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover *.part file in the cache is harmless: it is never read
        }
    }
}
