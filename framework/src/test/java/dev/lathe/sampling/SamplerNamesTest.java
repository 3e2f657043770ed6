package dev.lathe.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lathe.api.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A1111's display names and the k-diffusion/kohya ids resolve to the same sampler and schedule. */
class SamplerNamesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "Euler, euler, DEFAULT",
        "euler, euler, DEFAULT",
        "k_euler, euler, DEFAULT",
        "Euler a, euler_a, DEFAULT",
        "euler_a, euler_a, DEFAULT",
        "k_euler_a, euler_a, DEFAULT",
        "EULER A, euler_a, DEFAULT",
        "euler_ancestral, euler_a, DEFAULT",
        "k_euler_ancestral, euler_a, DEFAULT",
        "Heun, heun, DEFAULT",
        "heun, heun, DEFAULT",
        "DPM++ 2M, dpmpp_2m, DEFAULT",
        "dpmpp_2m, dpmpp_2m, DEFAULT",
        "DPM++ 2M Karras, dpmpp_2m_karras, KARRAS",
        "dpmpp_2m_karras, dpmpp_2m_karras, KARRAS",
        "k_dpmpp_2m_ka, dpmpp_2m_karras, KARRAS",
        "  dpm++  2m   karras , dpmpp_2m_karras, KARRAS",
        "DPM++ SDE Karras, dpmpp_sde_karras, KARRAS",
        "dpmpp_sde_karras, dpmpp_sde_karras, KARRAS",
        "DPM++ SDE, dpmpp_sde, DEFAULT",
        "DPM++ 2M SDE Karras, dpmpp_2m_sde_karras, KARRAS",
        "dpmpp_2m_sde_karras, dpmpp_2m_sde_karras, KARRAS",
        "DPM++ 3M SDE Karras, dpmpp_3m_sde_karras, KARRAS",
        "dpmpp_3m_sde_karras, dpmpp_3m_sde_karras, KARRAS",
        "Euler Karras, euler_karras, KARRAS",
        "DDIM, ddim, DDIM",
        "ddim, ddim, DDIM",
    })
    void resolves(String name, String id, Schedule schedule) {
        SamplerNames.Choice choice = SamplerNames.resolve(name);
        assertEquals(id, choice.id());
        assertEquals(schedule, choice.schedule());
        assertSame(choice, SamplerNames.resolve(choice.displayName()), "the display name resolves to the same choice");
    }

    @Test
    void namesTheAlgorithms() {
        assertSame(Samplers.EULER_ANCESTRAL, SamplerNames.resolve("Euler a").sampler());
        assertSame(Samplers.DPMPP_2M, SamplerNames.resolve("DPM++ 2M Karras").sampler());
        assertSame(Samplers.DPMPP_SDE, SamplerNames.resolve("DPM++ SDE Karras").sampler());
        assertSame(Samplers.DPMPP_2M_SDE, SamplerNames.resolve("DPM++ 2M SDE Karras").sampler());
        assertSame(Samplers.DPMPP_3M_SDE, SamplerNames.resolve("DPM++ 3M SDE Karras").sampler());
        assertSame(Samplers.HEUN, SamplerNames.resolve("Heun").sampler());
        assertSame(Samplers.DDIM, SamplerNames.resolve("DDIM").sampler());
        assertEquals("DPM++ 2M Karras", SamplerNames.resolve("dpmpp_2m_karras").displayName());
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        for (String bad : new String[] {"LMS", "DDIM Karras", "dpmpp", "", "Euler a Karras Karras"}) {
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> SamplerNames.resolve(bad));
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
            assertTrue(e.getMessage().contains("DPM++ 2M Karras") && e.getMessage().contains("euler_a"), e.getMessage());
        }
        assertThrows(InvalidInputException.class, () -> SamplerNames.resolve(null));
        assertTrue(SamplerNames.names().contains("DPM++ 3M SDE Karras"));
        assertTrue(SamplerNames.names().contains("ddim"));
    }
}
