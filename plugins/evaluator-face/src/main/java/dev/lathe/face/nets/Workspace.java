package dev.lathe.face.nets;

import java.util.function.Supplier;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs a forward pass with every intermediate array in an ND4J workspace: one block of native
 * memory per network and thread, sized on the first pass and reused by the next, instead of
 * fresh allocations (and page faults, and collector-driven frees) for each of ~100 activations
 * per image. Whatever the pass returns must be copied out of ND4J (Java arrays) before the
 * workspace closes. A workspace frees nothing before it closes, so short-lived scratch arrays
 * (gathered patches) live in a nested {@link #scratch} workspace instead, reused by each use.
 */
final class Workspace {

    private static final WorkspaceConfiguration CONFIGURATION = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .overallocationLimit(0.2)
            // a larger batch (more faces) than the first pass grows the workspace
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    private Workspace() {
    }

    @SuppressWarnings("try") // the workspace is used implicitly by every array created inside
    static <T> T run(String network, Supplier<T> forward) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIGURATION, "lathe-face-" + network)) {
            return forward.get();
        }
    }

    /**
     * Runs {@code work} with arrays it creates in the scratch workspace {@code name}, whose memory
     * is reused as soon as it returns. Arrays created before (outside) stay valid.
     */
    @SuppressWarnings("try")
    static void scratch(String name, Runnable work) {
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(CONFIGURATION, "lathe-face-" + name)) {
            work.run();
        }
    }
}
