package dev.lathe.cli;

import java.io.PrintStream;
import org.osgi.framework.BundleContext;

/** What every command needs: the plugins, and where results and messages go. */
record CliContext(ServiceCatalog catalog, BundleContext bundleContext, PrintStream out, PrintStream err) {

    /** Whether stderr is an interactive terminal (progress bars redraw in place only then). */
    boolean interactive() {
        return System.console() != null;
    }
}
