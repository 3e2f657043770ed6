package dev.lathe.face.nets;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Splits the rows of a Java kernel into a few contiguous blocks run in parallel (the common
 * fork-join pool and the caller), so each block allocates its scratch rows once.
 */
final class RowTasks {

    /** A block of rows {@code from … to-1}. */
    @FunctionalInterface
    interface Block {
        void rows(int from, int to);
    }

    private RowTasks() {
    }

    static void run(int rows, Block block) {
        int blocks = Math.min(rows, 4 * (ForkJoinPool.getCommonPoolParallelism() + 1));
        if (blocks <= 1) {
            block.rows(0, rows);
            return;
        }
        IntStream.range(0, blocks).parallel().forEach(b -> block.rows(b * rows / blocks, (b + 1) * rows / blocks));
    }
}
