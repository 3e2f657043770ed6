package dev.lathe.text;

import dev.lathe.api.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads the arguments of a {@code <lora:…>} tag the way AUTOMATIC1111 does: split at {@code :};
 * an item {@code key=value} is named, any other positional. Positional: name, text-encoder
 * strength, UNet strength (default: the text-encoder strength; that defaults to 1). Named
 * {@code te=} and {@code unet=} override them. Anything else is refused with an explanation
 * rather than ignored, so a tag never silently means something other than what was written.
 */
final class LoraTags {

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private static final String SYNTAX = "Write <lora:name> (strength 1), <lora:name:0.8>, <lora:name:0.8:0.5> "
            + "(text encoder 0.8, UNet 0.5), or a schedule of strength@progress points with progress from 0 to 1 in "
            + "increasing order, <lora:name:0.8@0,0.8@0.5,0@1>.";

    private LoraTags() {
    }

    /** The tag {@code tag}, whose part after the type is {@code arguments}. */
    static LoraTag parse(String tag, String arguments) {
        List<String> positional = new ArrayList<>();
        String te = null;
        String unet = null;
        for (String item : arguments.split(":", -1)) {
            String[] named = item.split("=", -1);
            if (named.length != 2) {
                positional.add(item);
            } else if (named[0].equals("te")) {
                te = named[1];
            } else if (named[0].equals("unet")) {
                unet = named[1];
            } else {
                throw malformed(tag, "the part \"" + item + "\" is not something Lathe understands (it reads the "
                        + "name, te= and unet=; A1111's dyn= is not supported)");
            }
        }
        String name = positional.get(0).trim();
        if (name.isEmpty()) {
            throw malformed(tag, "it names no LoRA");
        }
        if (positional.size() > 3) {
            throw malformed(tag, "it has " + (positional.size() - 1) + " strengths; at most two (text encoder, "
                    + "UNet) are read, A1111's dynamic dimension is not supported");
        }
        if (te == null) {
            te = positional.size() > 1 ? positional.get(1) : "1";
        }
        if (unet == null) {
            unet = positional.size() > 2 ? positional.get(2) : te;
        }
        return new LoraTag(name, strength(te, tag), strength(unet, tag), tag);
    }

    private static LoraStrength strength(String written, String tag) {
        String text = written.trim();
        if (!text.contains("@")) {
            return new LoraStrength(List.of(new LoraStrength.Point(number(text, tag), 0)), text);
        }
        List<LoraStrength.Point> points = new ArrayList<>();
        for (String point : text.split(",", -1)) {
            String[] parts = point.trim().split("@", -1);
            if (parts.length != 2) {
                throw malformed(tag, "the schedule point \"" + point.trim() + "\" is not strength@progress");
            }
            points.add(new LoraStrength.Point(number(parts[0].trim(), tag), number(parts[1].trim(), tag)));
        }
        try {
            return new LoraStrength(points, text);
        } catch (IllegalArgumentException e) {
            throw malformed(tag, "in its schedule \"" + text + "\" " + e.getMessage());
        }
    }

    private static double number(String text, String tag) {
        if (!NUMBER.matcher(text).matches()) {
            throw malformed(tag, "\"" + text + "\" is not a number");
        }
        return Double.parseDouble(text);
    }

    private static InvalidInputException malformed(String tag, String problem) {
        return new InvalidInputException("The prompt's LoRA tag " + tag + " cannot be read: " + problem + ". "
                + SYNTAX);
    }
}
