package dev.lathe.nn.unet;

import dev.lathe.nn.RemappedSource;
import dev.lathe.nn.WeightSource;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates UNet tensor and module names between LDM/SGM checkpoints ({@code input_blocks.4.1.proj_in})
 * and diffusers' {@code UNet2DConditionModel} ({@code down_blocks.1.attentions.0.proj_in}).
 * Names are relative to the UNet ({@code model.diffusion_model.} resp. the {@code unet/} folder)
 * and may be tensor names or module paths. With R = resnets per down block:
 *
 * <table>
 * <caption>LDM → diffusers</caption>
 * <tr><td>{@code time_embed.0 / .2}</td><td>{@code time_embedding.linear_1 / linear_2}</td></tr>
 * <tr><td>{@code label_emb.0.0 / .0.2}</td><td>{@code add_embedding.linear_1 / linear_2}</td></tr>
 * <tr><td>{@code input_blocks.0.0}</td><td>{@code conv_in}</td></tr>
 * <tr><td>{@code input_blocks.(1+L(R+1)+j).0 / .1}</td><td>{@code down_blocks.L.resnets.j / attentions.j}</td></tr>
 * <tr><td>{@code input_blocks.((L+1)(R+1)).0.op}</td><td>{@code down_blocks.L.downsamplers.0.conv}</td></tr>
 * <tr><td>{@code middle_block.0 / .1 / .2}</td><td>{@code mid_block.resnets.0 / attentions.0 / resnets.1}</td></tr>
 * <tr><td>{@code output_blocks.(i(R+1)+j).0 / .1}</td><td>{@code up_blocks.i.resnets.j / attentions.j}</td></tr>
 * <tr><td>{@code output_blocks.(i(R+1)+R).1|2.conv}</td><td>{@code up_blocks.i.upsamplers.0.conv}</td></tr>
 * <tr><td>{@code out.0 / out.2}</td><td>{@code conv_norm_out / conv_out}</td></tr>
 * <tr><td>ResBlock {@code in_layers.0, in_layers.2, emb_layers.1, out_layers.0, out_layers.3, skip_connection}</td>
 *     <td>{@code norm1, conv1, time_emb_proj, norm2, conv2, conv_shortcut}</td></tr>
 * </table>
 * Transformer internals ({@code proj_in}, {@code transformer_blocks.k.attn1.to_q}, ...) are named the same.
 */
public final class DiffusersUnetKeys {

    private static final Map<String, String> RES_TO_DIFFUSERS = Map.of(
            "in_layers.0", "norm1", "in_layers.2", "conv1", "emb_layers.1", "time_emb_proj",
            "out_layers.0", "norm2", "out_layers.3", "conv2", "skip_connection", "conv_shortcut");
    private static final Map<String, String> RES_TO_LDM = Map.of(
            "norm1", "in_layers.0", "conv1", "in_layers.2", "time_emb_proj", "emb_layers.1",
            "norm2", "out_layers.0", "conv2", "out_layers.3", "conv_shortcut", "skip_connection");

    private static final Pattern LDM = Pattern.compile("(input_blocks|output_blocks)\\.(\\d+)\\.(\\d+)(?:\\.(.*))?");
    private static final Pattern MIDDLE = Pattern.compile("middle_block\\.(\\d+)(?:\\.(.*))?");
    private static final Pattern DIFFUSERS = Pattern.compile(
            "(down_blocks|up_blocks)\\.(\\d+)\\.(resnets|attentions|downsamplers|upsamplers)\\.(\\d+)(?:\\.(.*))?");
    private static final Pattern DIFFUSERS_MID = Pattern.compile("mid_block\\.(resnets|attentions)\\.(\\d+)(?:\\.(.*))?");

    private DiffusersUnetKeys() {
    }

    /**
     * The diffusers name of an LDM name, or null when it has none.
     *
     * @param numResBlocks R, the resnets per down block
     * @param middleAttention whether the middle block has a transformer (SD: yes)
     */
    public static String toDiffusers(String ldm, int numResBlocks, boolean middleAttention) {
        int r1 = numResBlocks + 1;
        for (String[] fixed : new String[][] {{"time_embed.0", "time_embedding.linear_1"},
                {"time_embed.2", "time_embedding.linear_2"}, {"label_emb.0.0", "add_embedding.linear_1"},
                {"label_emb.0.2", "add_embedding.linear_2"}, {"input_blocks.0.0", "conv_in"},
                {"out.0", "conv_norm_out"}, {"out.2", "conv_out"}}) {
            String tail = after(ldm, fixed[0]);
            if (tail != null) {
                return fixed[1] + tail;
            }
        }
        Matcher m = LDM.matcher(ldm);
        if (m.matches()) {
            int k = Integer.parseInt(m.group(2));
            int layer = Integer.parseInt(m.group(3));
            String rest = m.group(4) == null ? "" : m.group(4);
            if (m.group(1).equals("input_blocks")) {
                if (k == 0) {
                    return null;
                }
                if (k % r1 == 0) {
                    String tail = after(rest, "op");
                    return layer == 0 && tail != null ? "down_blocks." + (k / r1 - 1) + ".downsamplers.0.conv" + tail : null;
                }
                String block = "down_blocks." + (k - 1) / r1 + (layer == 0 ? ".resnets." : ".attentions.") + (k - 1) % r1;
                return layer == 0 ? resnet(block, rest) : layer == 1 ? join(block, rest) : null;
            }
            int up = k / r1;
            int j = k % r1;
            if (layer == 0) {
                return resnet("up_blocks." + up + ".resnets." + j, rest);
            }
            if (rest.equals("conv") || rest.startsWith("conv.")) {
                return j == numResBlocks ? "up_blocks." + up + ".upsamplers.0." + rest : null;
            }
            return layer == 1 ? join("up_blocks." + up + ".attentions." + j, rest) : null;
        }
        m = MIDDLE.matcher(ldm);
        if (m.matches()) {
            int layer = Integer.parseInt(m.group(1));
            String rest = m.group(2) == null ? "" : m.group(2);
            if (middleAttention && layer == 1) {
                return join("mid_block.attentions.0", rest);
            }
            int resnet = layer == 0 ? 0 : 1;
            return layer == 0 || layer == (middleAttention ? 2 : 1) ? resnet("mid_block.resnets." + resnet, rest) : null;
        }
        return null;
    }

    /**
     * The LDM name of a diffusers name, or null when it has none.
     *
     * @param numResBlocks R, the resnets per down block
     * @param upAttention  whether {@code up_blocks.i} has attentions (its upsampler is then {@code .2}, else {@code .1})
     * @param middleAttention whether {@code mid_block} has attentions
     */
    public static String toLdm(String diffusers, int numResBlocks, java.util.function.IntPredicate upAttention,
                               boolean middleAttention) {
        int r1 = numResBlocks + 1;
        for (String[] fixed : new String[][] {{"time_embedding.linear_1", "time_embed.0"},
                {"time_embedding.linear_2", "time_embed.2"}, {"add_embedding.linear_1", "label_emb.0.0"},
                {"add_embedding.linear_2", "label_emb.0.2"}, {"conv_in", "input_blocks.0.0"},
                {"conv_norm_out", "out.0"}, {"conv_out", "out.2"}}) {
            String tail = after(diffusers, fixed[0]);
            if (tail != null) {
                return fixed[1] + tail;
            }
        }
        Matcher m = DIFFUSERS.matcher(diffusers);
        if (m.matches()) {
            int block = Integer.parseInt(m.group(2));
            String kind = m.group(3);
            int j = Integer.parseInt(m.group(4));
            String rest = m.group(5) == null ? "" : m.group(5);
            boolean down = m.group(1).equals("down_blocks");
            switch (kind) {
                case "resnets":
                    return ldmResnet((down ? "input_blocks." + (1 + block * r1 + j) : "output_blocks." + (block * r1 + j)) + ".0", rest);
                case "attentions":
                    return join((down ? "input_blocks." + (1 + block * r1 + j) : "output_blocks." + (block * r1 + j)) + ".1", rest);
                case "downsamplers": {
                    String tail = after(rest, "conv");
                    return down && j == 0 && tail != null ? "input_blocks." + ((block + 1) * r1) + ".0.op" + tail : null;
                }
                default: {
                    String tail = after(rest, "conv");
                    return !down && j == 0 && tail != null
                            ? "output_blocks." + (block * r1 + numResBlocks) + "." + (upAttention.test(block) ? 2 : 1) + ".conv" + tail
                            : null;
                }
            }
        }
        m = DIFFUSERS_MID.matcher(diffusers);
        if (m.matches()) {
            int j = Integer.parseInt(m.group(2));
            String rest = m.group(3) == null ? "" : m.group(3);
            if (m.group(1).equals("attentions")) {
                return j == 0 ? join("middle_block.1", rest) : null;
            }
            return j <= 1 ? ldmResnet("middle_block." + (j == 0 ? 0 : middleAttention ? 2 : 1), rest) : null;
        }
        return null;
    }

    /**
     * The UNet of a diffusers folder ({@code diffusersPrefix}, e.g. {@code unet/}) under LDM names
     * below {@code ldmPrefix} (e.g. {@code model.diffusion_model.}); tensors without an LDM name
     * are left out. R and the attention layout are read off the names.
     */
    public static RemappedSource asLdm(WeightSource source, String diffusersPrefix, String ldmPrefix) {
        Set<String> names = source.names();
        int resnets = 0;
        boolean mid = false;
        java.util.Set<Integer> upWithAttention = new java.util.HashSet<>();
        Pattern down0 = Pattern.compile(Pattern.quote(diffusersPrefix) + "down_blocks\\.0\\.resnets\\.(\\d+)\\..*");
        Pattern upAtt = Pattern.compile(Pattern.quote(diffusersPrefix) + "up_blocks\\.(\\d+)\\.attentions\\..*");
        for (String name : names) {
            Matcher m = down0.matcher(name);
            if (m.matches()) {
                resnets = Math.max(resnets, Integer.parseInt(m.group(1)) + 1);
            }
            m = upAtt.matcher(name);
            if (m.matches()) {
                upWithAttention.add(Integer.parseInt(m.group(1)));
            }
            mid |= name.startsWith(diffusersPrefix + "mid_block.attentions.");
        }
        int r = Math.max(resnets, 1);
        boolean middle = mid;
        RemappedSource.Builder b = RemappedSource.builder(source);
        for (String name : names) {
            if (name.startsWith(diffusersPrefix)) {
                String ldm = toLdm(name.substring(diffusersPrefix.length()), r, upWithAttention::contains, middle);
                if (ldm != null) {
                    b.rename(ldmPrefix + ldm, name);
                }
            }
        }
        b.spellingOfAbsent(ldm -> {
            if (!ldm.startsWith(ldmPrefix)) {
                return null;
            }
            String d = toDiffusers(ldm.substring(ldmPrefix.length()), r, middle);
            return d == null ? null : diffusersPrefix + d;
        });
        return b.build();
    }

    private static String resnet(String block, String rest) {
        for (Map.Entry<String, String> e : RES_TO_DIFFUSERS.entrySet()) {
            String tail = after(rest, e.getKey());
            if (tail != null) {
                return block + "." + e.getValue() + tail;
            }
        }
        return rest.isEmpty() ? block : null;
    }

    private static String ldmResnet(String block, String rest) {
        for (Map.Entry<String, String> e : RES_TO_LDM.entrySet()) {
            String tail = after(rest, e.getKey());
            if (tail != null) {
                return block + "." + e.getValue() + tail;
            }
        }
        return rest.isEmpty() ? block : null;
    }

    private static String join(String block, String rest) {
        return rest.isEmpty() ? block : block + "." + rest;
    }

    /** The part of {@code name} after {@code head} ("" or ".rest"), or null when {@code name} is not {@code head} or below it. */
    private static String after(String name, String head) {
        if (name.equals(head)) {
            return "";
        }
        return name.startsWith(head + ".") ? name.substring(head.length()) : null;
    }
}
