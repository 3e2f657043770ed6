package dev.lathe.render;

import dev.lathe.api.InvalidInputException;
import dev.lathe.sampling.SamplerNames;
import java.util.Locale;
import java.util.Map;

/**
 * kohya-ss's sample-sampler names ({@code --sample_sampler}, {@code --ss}) on Lathe's samplers.
 * kohya renders samples with diffusers' schedulers; Lathe renders them with its k-diffusion
 * samplers of the same algorithm, so the images are close to kohya's but not identical.
 *
 * <table>
 * <caption>names</caption>
 * <tr><td>{@code ddim}</td><td>DDIM</td></tr>
 * <tr><td>{@code euler}, {@code k_euler}</td><td>Euler</td></tr>
 * <tr><td>{@code euler_a}, {@code k_euler_a}</td><td>Euler a</td></tr>
 * <tr><td>{@code heun}</td><td>Heun</td></tr>
 * <tr><td>{@code dpmsolver++}</td><td>DPM++ 2M (diffusers' DPMSolverMultistep, the default schedule)</td></tr>
 * </table>
 * kohya's {@code pndm}, {@code lms}, {@code dpmsolver}, {@code dpmsingle}, {@code dpm_2},
 * {@code dpm_2_a} (and {@code k_} forms) are refused with this list: Lathe does not have those
 * algorithms. Any other name is taken as a Lathe sampler name (A1111's or the k-diffusion id,
 * e.g. {@code dpmpp_2m_karras}); kohya itself would silently fall back to DDIM for it.
 */
public final class KohyaSamplers {

    private static final Map<String, String> KOHYA = Map.of("ddim", "DDIM", "euler", "Euler", "k_euler", "Euler",
            "euler_a", "Euler a", "k_euler_a", "Euler a", "heun", "Heun", "dpmsolver++", "DPM++ 2M");

    private static final java.util.Set<String> MISSING = java.util.Set.of("pndm", "lms", "k_lms", "dpmsolver", "dpmsingle",
            "dpm_2", "k_dpm_2", "dpm_2_a", "k_dpm_2_a", "ddpm");

    private KohyaSamplers() {
    }

    /**
     * The Lathe sampler name for a kohya one.
     *
     * @throws InvalidInputException for a kohya sampler Lathe lacks or a name nobody knows
     */
    public static String toLathe(String kohyaName) {
        String key = kohyaName.strip().toLowerCase(Locale.ROOT);
        String mapped = KOHYA.get(key);
        if (mapped != null) {
            return mapped;
        }
        if (MISSING.contains(key)) {
            throw new InvalidInputException("The sample sampler \"" + kohyaName + "\" (a kohya-ss/diffusers scheduler) is not "
                    + "one Lathe has. Use ddim, euler, euler_a, heun or dpmsolver++ (kohya's names), or any Lathe sampler "
                    + "such as dpmpp_2m_karras or \"DPM++ 2M Karras\".");
        }
        return SamplerNames.resolve(kohyaName.strip()).displayName();
    }
}
