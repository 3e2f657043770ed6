package dev.lathe.sampling;

import dev.lathe.api.InvalidInputException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The sampler names users type: AUTOMATIC1111's display names ({@code Euler a},
 * {@code DPM++ 2M Karras}, …) and the k-diffusion/kohya ids ({@code euler_a}, {@code k_euler_a},
 * {@code dpmpp_2m_karras}, …), case-insensitive. A name selects an algorithm and a schedule: a
 * trailing "Karras" ({@code _karras}, A1111's {@code _ka}) selects {@link Schedule#KARRAS},
 * otherwise the model's default schedule ({@link Schedule#DEFAULT}; {@link Schedule#DDIM} for DDIM).
 *
 * <p>That is the convention of A1111 before 1.9 and of kohya's sample prompts. A1111 1.9 and later
 * write the schedule separately ("Sampler: DPM++ 2M, Schedule type: Karras"); its "Automatic" is
 * not always the default schedule there (DPM++ 2M then means Karras).
 */
public final class SamplerNames {

    /** A resolved name: the algorithm, its schedule, and the canonical A1111 and kohya names. */
    public record Choice(String displayName, String id, Sampler sampler, Schedule schedule) {
        public Choice {
            Objects.requireNonNull(displayName, "displayName");
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(sampler, "sampler");
            Objects.requireNonNull(schedule, "schedule");
        }
    }

    /** The algorithms by A1111 display name, with the k-diffusion id (also the kohya name). */
    private record Algorithm(String displayName, String id, Sampler sampler, boolean karrasAllowed, String... aliases) {
    }

    private static final List<Algorithm> ALGORITHMS = List.of(
            new Algorithm("Euler", "euler", Samplers.EULER, true),
            new Algorithm("Euler a", "euler_a", Samplers.EULER_ANCESTRAL, true, "euler_ancestral"),
            new Algorithm("Heun", "heun", Samplers.HEUN, true),
            new Algorithm("DPM++ 2M", "dpmpp_2m", Samplers.DPMPP_2M, true),
            new Algorithm("DPM++ SDE", "dpmpp_sde", Samplers.DPMPP_SDE, true),
            new Algorithm("DPM++ 2M SDE", "dpmpp_2m_sde", Samplers.DPMPP_2M_SDE, true),
            new Algorithm("DPM++ 3M SDE", "dpmpp_3m_sde", Samplers.DPMPP_3M_SDE, true),
            new Algorithm("DDIM", "ddim", Samplers.DDIM, false));

    /** Every accepted spelling, normalized, to its choice; in the order they are listed to users. */
    private static final Map<String, Choice> NAMES = new LinkedHashMap<>();
    /** The names shown when a name is unknown. */
    private static final List<String> SHOWN = new ArrayList<>();

    static {
        for (Algorithm a : ALGORITHMS) {
            Schedule plain = a.sampler() == Samplers.DDIM ? Schedule.DDIM : Schedule.DEFAULT;
            register(new Choice(a.displayName(), a.id(), a.sampler(), plain), a.aliases(), "");
            if (a.karrasAllowed()) {
                register(new Choice(a.displayName() + " Karras", a.id() + "_karras", a.sampler(), Schedule.KARRAS),
                        a.aliases(), "_karras");
            }
        }
    }

    private SamplerNames() {
    }

    private static void register(Choice choice, String[] aliases, String suffix) {
        SHOWN.add(choice.displayName());
        SHOWN.add(choice.id());
        List<String> spellings = new ArrayList<>(List.of(choice.displayName(), choice.id(), "k_" + choice.id()));
        if (suffix.equals("_karras")) {
            spellings.add("k_" + choice.id().replace("_karras", "_ka")); // A1111's own aliases: k_dpmpp_2m_ka
        }
        for (String alias : aliases) {
            spellings.add(alias + suffix);
            spellings.add("k_" + alias + suffix);
        }
        for (String spelling : spellings) {
            NAMES.putIfAbsent(normalize(spelling), choice);
        }
    }

    /**
     * The sampler and schedule {@code name} stands for.
     *
     * @throws InvalidInputException for a name Lathe does not know, listing the ones it does
     */
    public static Choice resolve(String name) {
        Choice choice = name == null ? null : NAMES.get(normalize(name));
        if (choice == null) {
            throw new InvalidInputException("Unknown sampler \"" + name + "\". Lathe knows these samplers (A1111 names "
                    + "and k-diffusion/kohya ids, case-insensitive, \"k_\" prefix optional): "
                    + String.join(", ", SHOWN) + ".");
        }
        return choice;
    }

    /** The canonical names, A1111's and the ids, in a stable order. */
    public static List<String> names() {
        return List.copyOf(SHOWN);
    }

    /** Lower case, spaces and dashes as underscores, runs of them collapsed: "DPM++ 2M Karras" → "dpm++_2m_karras". */
    private static String normalize(String name) {
        return name.trim().toLowerCase(Locale.ROOT).replaceAll("[\\s_-]+", "_");
    }
}
