package dev.lathe.nn.vae;

import dev.lathe.nn.RemappedSource;
import dev.lathe.nn.WeightSource;
import dev.lathe.safetensors.TensorInfo;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates VAE tensor names between LDM ({@code encoder.down.0.block.1.nin_shortcut}) and
 * diffusers' {@code AutoencoderKL} ({@code encoder.down_blocks.0.resnets.1.conv_shortcut}); names
 * relative to the VAE. n = number of levels:
 *
 * <table>
 * <caption>LDM → diffusers</caption>
 * <tr><td>{@code encoder.down.i.block.j}</td><td>{@code encoder.down_blocks.i.resnets.j}</td></tr>
 * <tr><td>{@code encoder.down.i.downsample.conv}</td><td>{@code encoder.down_blocks.i.downsamplers.0.conv}</td></tr>
 * <tr><td>{@code decoder.up.i.block.j}</td><td>{@code decoder.up_blocks.(n-1-i).resnets.j}</td></tr>
 * <tr><td>{@code decoder.up.i.upsample.conv}</td><td>{@code decoder.up_blocks.(n-1-i).upsamplers.0.conv}</td></tr>
 * <tr><td>{@code *.mid.block_1 / block_2}</td><td>{@code *.mid_block.resnets.0 / 1}</td></tr>
 * <tr><td>{@code *.mid.attn_1.norm, q, k, v, proj_out}</td><td>{@code *.mid_block.attentions.0.group_norm, to_q, to_k, to_v, to_out.0}
 *     (older diffusers: {@code query, key, value, proj_attn}); Linear {@code [C, C]} in diffusers, 1x1 conv in LDM</td></tr>
 * <tr><td>{@code *.norm_out}</td><td>{@code *.conv_norm_out}</td></tr>
 * <tr><td>ResnetBlock {@code nin_shortcut}</td><td>{@code conv_shortcut}</td></tr>
 * </table>
 * {@code conv_in}, {@code conv_out}, {@code quant_conv}, {@code post_quant_conv} and the
 * ResnetBlock's {@code norm1, conv1, norm2, conv2} are named the same.
 */
public final class DiffusersVaeKeys {

    private static final Pattern DOWN = Pattern.compile("encoder\\.down_blocks\\.(\\d+)\\.(resnets\\.(\\d+)|downsamplers\\.0)\\.(.+)");
    private static final Pattern UP = Pattern.compile("decoder\\.up_blocks\\.(\\d+)\\.(resnets\\.(\\d+)|upsamplers\\.0)\\.(.+)");
    private static final Pattern MID = Pattern.compile("(encoder|decoder)\\.mid_block\\.(resnets\\.(\\d+)|attentions\\.0)\\.(.+)");
    private static final Map<String, String> ATTENTION = Map.of(
            "group_norm", "norm", "to_q", "q", "to_k", "k", "to_v", "v", "to_out.0", "proj_out",
            "query", "q", "key", "k", "value", "v", "proj_attn", "proj_out");

    private DiffusersVaeKeys() {
    }

    /** The LDM name of a diffusers VAE tensor name, or null when it has none. */
    public static String toLdm(String d, int levels) {
        Matcher m = DOWN.matcher(d);
        if (m.matches()) {
            String block = m.group(3) != null ? "encoder.down." + m.group(1) + ".block." + m.group(3)
                    : "encoder.down." + m.group(1) + ".downsample";
            return block + "." + resnetPart(m.group(4));
        }
        m = UP.matcher(d);
        if (m.matches()) {
            int level = levels - 1 - Integer.parseInt(m.group(1));
            String block = m.group(3) != null ? "decoder.up." + level + ".block." + m.group(3) : "decoder.up." + level + ".upsample";
            return block + "." + resnetPart(m.group(4));
        }
        m = MID.matcher(d);
        if (m.matches()) {
            String rest = m.group(4);
            if (m.group(3) != null) {
                return m.group(1) + ".mid.block_" + (Integer.parseInt(m.group(3)) + 1) + "." + resnetPart(rest);
            }
            for (Map.Entry<String, String> e : ATTENTION.entrySet()) {
                if (rest.startsWith(e.getKey() + ".")) {
                    return m.group(1) + ".mid.attn_1." + e.getValue() + rest.substring(e.getKey().length());
                }
            }
            return null;
        }
        if (d.startsWith("encoder.conv_norm_out.") || d.startsWith("decoder.conv_norm_out.")) {
            return d.replace(".conv_norm_out.", ".norm_out.");
        }
        return d;
    }

    /** The (current) diffusers name of an LDM VAE tensor name. */
    public static String toDiffusers(String ldm, int levels) {
        String[] p = ldm.split("\\.");
        if (ldm.startsWith("encoder.down.") && p.length > 4) {
            String block = p[3].equals("block") ? "resnets." + p[4] + "." + join(p, 5) : "downsamplers.0." + join(p, 4);
            return "encoder.down_blocks." + p[2] + "." + block.replace("nin_shortcut", "conv_shortcut");
        }
        if (ldm.startsWith("decoder.up.") && p.length > 4) {
            int up = levels - 1 - Integer.parseInt(p[2]);
            String block = p[3].equals("block") ? "resnets." + p[4] + "." + join(p, 5) : "upsamplers.0." + join(p, 4);
            return "decoder.up_blocks." + up + "." + block.replace("nin_shortcut", "conv_shortcut");
        }
        if (p.length > 3 && p[1].equals("mid")) {
            if (p[2].startsWith("block_")) {
                return p[0] + ".mid_block.resnets." + (Integer.parseInt(p[2].substring(6)) - 1) + "."
                        + join(p, 3).replace("nin_shortcut", "conv_shortcut");
            }
            String part = switch (p[3]) {
                case "norm" -> "group_norm";
                case "q" -> "to_q";
                case "k" -> "to_k";
                case "v" -> "to_v";
                case "proj_out" -> "to_out.0";
                default -> p[3];
            };
            return p[0] + ".mid_block.attentions.0." + part + "." + join(p, 4);
        }
        if (ldm.startsWith("encoder.norm_out.") || ldm.startsWith("decoder.norm_out.")) {
            return ldm.replace(".norm_out.", ".conv_norm_out.");
        }
        return ldm;
    }

    /**
     * The VAE of a diffusers folder ({@code diffusersPrefix}, e.g. {@code vae/}) under LDM names
     * below {@code ldmPrefix} (e.g. {@code first_stage_model.}); the mid-block attention's Linear
     * weights appear reshaped as 1x1 convs.
     */
    public static RemappedSource asLdm(WeightSource source, String diffusersPrefix, String ldmPrefix) {
        int levels = 0;
        Pattern down = Pattern.compile(Pattern.quote(diffusersPrefix) + "encoder\\.down_blocks\\.(\\d+)\\..*");
        for (String name : source.names()) {
            Matcher m = down.matcher(name);
            if (m.matches()) {
                levels = Math.max(levels, Integer.parseInt(m.group(1)) + 1);
            }
        }
        int n = levels;
        RemappedSource.Builder b = RemappedSource.builder(source);
        for (String name : source.names()) {
            if (!name.startsWith(diffusersPrefix)) {
                continue;
            }
            String ldm = toLdm(name.substring(diffusersPrefix.length()), n);
            if (ldm == null) {
                continue;
            }
            TensorInfo info = source.info(name);
            if (ldm.contains(".mid.attn_1.") && ldm.endsWith(".weight") && info.rank() == 2) {
                long[] s = info.shape();
                b.reshape(ldmPrefix + ldm, name, s[0], s[1], 1, 1);
            } else {
                b.rename(ldmPrefix + ldm, name);
            }
        }
        b.spellingOfAbsent(ldm -> ldm.startsWith(ldmPrefix) ? diffusersPrefix + toDiffusers(ldm.substring(ldmPrefix.length()), n) : null);
        return b.build();
    }

    private static String resnetPart(String rest) {
        return rest.startsWith("conv_shortcut.") ? "nin_shortcut" + rest.substring("conv_shortcut".length()) : rest;
    }

    private static String join(String[] parts, int from) {
        return String.join(".", java.util.Arrays.copyOfRange(parts, from, parts.length));
    }
}
