package dev.lathe.cli;

import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import picocli.CommandLine;

/** {@code lathe --version}: Lathe's version and what it runs on. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        Bundle cli = FrameworkUtil.getBundle(VersionProvider.class);
        String lathe = cli == null ? "dev" : cli.getVersion().toString();
        Bundle system = cli == null ? null : cli.getBundleContext().getBundle(0);
        String felix = system == null ? "?" : system.getVersion().toString();
        return new String[] {
            "lathe " + lathe,
            "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + "), "
                    + System.getProperty("os.name") + " " + System.getProperty("os.arch"),
            "Apache Felix " + felix
        };
    }
}
