package dev.lathe.launcher;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;

/**
 * Computes {@code org.osgi.framework.system.packages.extra} for the jars on the launcher's class
 * path, so bundles can import DJL, ND4J and SLF4J from the class path instead of embedding them
 * (natives can be loaded only once per JVM; a second copy in a bundle fails).
 *
 * <p>A jar that declares {@code Export-Package} is re-exported as it declares itself; for any
 * other jar every package that holds a class is exported, unversioned.
 */
public final class SystemPackages {

    private SystemPackages() {
    }

    /** The header value: every clause of {@link #clauses}, comma-separated. */
    public static String forJars(Iterable<Path> jars) throws IOException {
        return String.join(",", clauses(jars));
    }

    /** One export clause per package (with its attributes when the jar declares them). */
    public static Set<String> clauses(Iterable<Path> jars) throws IOException {
        Set<String> clauses = new TreeSet<>();
        for (Path jar : jars) {
            clauses.addAll(exportsOf(jar));
        }
        return clauses;
    }

    static Set<String> exportsOf(Path jar) throws IOException {
        Set<String> clauses = new TreeSet<>();
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            Manifest manifest = file.getManifest();
            String exports = manifest == null ? null : manifest.getMainAttributes().getValue("Export-Package");
            if (exports != null && !exports.isBlank()) {
                clauses.addAll(ManifestClauses.split(exports));
                return clauses;
            }
            Enumeration<? extends ZipEntry> entries = file.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                int slash = name.lastIndexOf('/');
                if (name.endsWith(".class") && slash > 0 && !name.startsWith("META-INF/")) {
                    clauses.add(name.substring(0, slash).replace('/', '.'));
                }
            }
        }
        return clauses;
    }

    /** Splits a manifest header into clauses at top-level commas (not those inside quotes). */
    static final class ManifestClauses {
        private ManifestClauses() {
        }

        static Set<String> split(String header) {
            Set<String> out = new TreeSet<>();
            StringBuilder clause = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < header.length(); i++) {
                char c = header.charAt(i);
                if (c == '"') {
                    quoted = !quoted;
                }
                if (c == ',' && !quoted) {
                    add(out, clause);
                    clause.setLength(0);
                } else {
                    clause.append(c);
                }
            }
            add(out, clause);
            return out;
        }

        private static void add(Set<String> out, StringBuilder clause) {
            String s = clause.toString().trim();
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
    }

    static boolean isJar(Path p) {
        return p.getFileName().toString().endsWith(".jar");
    }
}
