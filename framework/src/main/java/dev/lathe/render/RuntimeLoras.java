package dev.lathe.render;

import ai.djl.ndarray.NDScope;
import dev.lathe.api.InvalidInputException;
import dev.lathe.api.model.DiffusionModel;
import dev.lathe.lora.LoraAttachment;
import dev.lathe.lora.LoraDropout;
import dev.lathe.lora.LoraFile;
import dev.lathe.lora.LoraFileContents;
import dev.lathe.lora.LoraModule;
import dev.lathe.lora.LoraNetwork;
import dev.lathe.lora.ModelLoras;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRA files loaded for one model and kept for its renders (loading, checking and hashing a file
 * happens once), attached to the model's layers for the length of a render and detached after.
 */
final class RuntimeLoras implements AutoCloseable {

    /** A LoRA file loaded for the model: its network (arrays on the model's device) and where it attaches. */
    private record Loaded(Path file, LoraNetwork network, List<ModelLoras.Bound> bound, String hash) {
    }

    private final DiffusionModel model;
    private final Map<Path, Loaded> loaded = new LinkedHashMap<>();

    RuntimeLoras(DiffusionModel model) {
        this.model = model;
    }

    /** The short hash A1111 shows for {@code file} (12 hex digits), loading the file if needed. */
    String hash(Path file) {
        return load(file).hash();
    }

    /**
     * Attaches every LoRA of {@code uses} to the model, at strength 0 until {@link Active#apply}
     * sets them. Uses of the same file are applied as one network whose strength is their sum
     * (a LoRA's contribution is linear in its strength).
     */
    Active attach(List<LoraUse> uses) {
        Map<Path, List<LoraUse>> byFile = new LinkedHashMap<>();
        for (LoraUse use : uses) {
            byFile.computeIfAbsent(key(use.file()), f -> new ArrayList<>()).add(use);
        }
        Active active = new Active();
        try {
            byFile.forEach((file, fileUses) -> {
                Loaded lora = load(file);
                active.entries.add(new Entry(lora, fileUses, LoraAttachment.attach(lora.network(), lora.bound(), null)));
            });
            return active;
        } catch (RuntimeException e) {
            active.close();
            throw e;
        }
    }

    private Loaded load(Path file) {
        Path key = key(file);
        Loaded cached = loaded.get(key);
        if (cached != null) {
            return cached;
        }
        if (!Files.isRegularFile(key)) {
            throw new InvalidInputException("The LoRA file " + file + " does not exist (or is not a file). Check the path.");
        }
        try {
            LoraFileContents contents = LoraFile.read(key);
            List<ModelLoras.Bound> bound = ModelLoras.forFile(model, contents);
            LoraNetwork network = LoraNetwork.load(model.manager(), bound.stream().map(ModelLoras.Bound::spec).toList(),
                    contents, 0f, LoraDropout.none());
            // The network lives as long as this cache, whatever NDScope the caller has open.
            for (LoraModule module : network.modules()) {
                NDScope.unregister(module.down(), module.up());
            }
            Loaded fresh = new Loaded(key, network, bound, FileHashes.loraHash(key, contents.metadata()));
            loaded.put(key, fresh);
            return fresh;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the LoRA file " + file + ": " + e.getMessage(), e);
        }
    }

    private static Path key(Path file) {
        return file.toAbsolutePath().normalize();
    }

    @Override
    public void close() {
        loaded.values().forEach(l -> l.network().close());
        loaded.clear();
    }

    /** The uses of one file in a render, the network they drive and the strengths it has now. */
    private static final class Entry {
        final Loaded lora;
        final List<LoraUse> uses;
        final LoraAttachment attachment;
        float textEncoder = Float.NaN;
        float unet = Float.NaN;

        Entry(Loaded lora, List<LoraUse> uses, LoraAttachment attachment) {
            this.lora = lora;
            this.uses = uses;
            this.attachment = attachment;
        }

        double textEncoderAt(double progress) {
            return uses.stream().mapToDouble(u -> u.textEncoder().at(progress)).sum();
        }

        double unetAt(double progress) {
            return uses.stream().mapToDouble(u -> u.unet().at(progress)).sum();
        }

        String name() {
            return uses.get(0).name();
        }
    }

    /** The LoRAs attached for one render; closing detaches them. */
    final class Active implements AutoCloseable {

        private final List<Entry> entries = new ArrayList<>();

        /**
         * Sets every LoRA's multipliers to their strengths at {@code progress} (0 = first step, 1 =
         * last); returns whether a text-encoder multiplier changed (the prompt must then be encoded again).
         */
        boolean apply(double progress) {
            boolean textEncoderChanged = false;
            for (Entry entry : entries) {
                float te = (float) entry.textEncoderAt(progress);
                float unet = (float) entry.unetAt(progress);
                if (te == entry.textEncoder && unet == entry.unet) {
                    continue;
                }
                if (te != entry.textEncoder) {
                    textEncoderChanged |= entry.lora.bound().stream().anyMatch(b -> b.spec().part().isTextEncoder());
                }
                for (LoraModule module : entry.lora.network().modules()) {
                    float wanted = module.spec().part().isTextEncoder() ? te : unet;
                    if (module.multiplier() != wanted) {
                        module.setMultiplier(wanted);
                    }
                }
                entry.textEncoder = te;
                entry.unet = unet;
            }
            return textEncoderChanged;
        }

        /** The strengths last applied, in render order. */
        List<AppliedLora> applied() {
            List<AppliedLora> out = new ArrayList<>();
            for (Entry entry : entries) {
                out.add(new AppliedLora(entry.name(), entry.textEncoder, entry.unet));
            }
            return out;
        }

        /** Name (as the infotext shows it) → short hash, for every file, in render order. */
        Map<String, String> hashes() {
            Map<String, String> out = new LinkedHashMap<>();
            for (Entry entry : entries) {
                for (LoraUse use : entry.uses) {
                    out.putIfAbsent(GenerationParameters.loraHashName(use.name()), entry.lora.hash());
                }
            }
            return out;
        }

        @Override
        public void close() {
            entries.forEach(e -> e.attachment.close());
            entries.clear();
        }
    }
}
