package dev.lathe.dataset;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Warnings about the dataset: each is logged at once (WARN) and kept for the caller. */
final class Warnings {

    private static final Logger LOG = LoggerFactory.getLogger(KohyaDataset.class);

    private final List<String> lines = new ArrayList<>();

    void add(String line) {
        lines.add(line);
        LOG.warn(line);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }
}
