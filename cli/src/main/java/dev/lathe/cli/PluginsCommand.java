package dev.lathe.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lathe.api.OptionSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code lathe plugins}: every registered plugin by kind and id, with its bundle and version. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "List every registered plugin (model families, optimizers, captioners, regularization "
                + "strategies, evaluators, stage types) with its bundle and version.")
final class PluginsCommand implements Callable<Integer> {

    @Option(names = "--options", description = "Also list each plugin's config options with defaults.")
    boolean options;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    private final CliContext context;

    PluginsCommand(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() throws Exception {
        List<ServiceCatalog.Registration> registrations = context.catalog().registrations();
        if (json) {
            printJson(registrations);
        } else {
            printTable(registrations);
        }
        return 0;
    }

    private void printTable(List<ServiceCatalog.Registration> registrations) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"KIND", "ID", "BUNDLE", "VERSION", "DESCRIPTION"});
        for (ServiceCatalog.Registration r : registrations) {
            rows.add(new String[] {r.kind().label, r.id(), r.bundle(), r.version(), r.plugin().description()});
        }
        int[] widths = new int[4];
        for (String[] row : rows) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (int i = 0; i < rows.size(); i++) {
            String[] row = rows.get(i);
            context.out().printf("%-" + widths[0] + "s  %-" + widths[1] + "s  %-" + widths[2] + "s  %-" + widths[3]
                    + "s  %s%n", (Object[]) row);
            if (options && i > 0) {
                for (OptionSpec spec : registrations.get(i - 1).plugin().options()) {
                    context.out().printf("      %-22s %-9s %-14s %s%n", spec.name(), kindName(spec),
                            defaultText(spec), spec.description());
                }
            }
        }
        if (registrations.isEmpty()) {
            context.out().println("(no plugins registered)");
        }
    }

    private void printJson(List<ServiceCatalog.Registration> registrations) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ServiceCatalog.Registration r : registrations) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("kind", r.kind().label);
            entry.put("id", r.id());
            entry.put("bundle", r.bundle());
            entry.put("version", r.version());
            entry.put("description", r.plugin().description());
            if (options) {
                List<Map<String, Object>> specs = new ArrayList<>();
                for (OptionSpec spec : r.plugin().options()) {
                    Map<String, Object> s = new LinkedHashMap<>();
                    s.put("name", spec.name());
                    s.put("kind", kindName(spec));
                    s.put("default", spec.defaultValue() == null ? null : String.valueOf(spec.defaultValue()));
                    s.put("required", spec.required());
                    s.put("description", spec.description());
                    specs.add(s);
                }
                entry.put("options", specs);
            }
            out.add(entry);
        }
        context.out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(out));
    }

    private static String kindName(OptionSpec spec) {
        return switch (spec.kind()) {
            case LIST -> "list of " + kindName(spec.element());
            case CHOICE -> String.join("|", spec.choices());
            default -> spec.kind().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String defaultText(OptionSpec spec) {
        if (spec.required()) {
            return "(required)";
        }
        return spec.defaultValue() == null ? "-" : String.valueOf(spec.defaultValue());
    }
}
