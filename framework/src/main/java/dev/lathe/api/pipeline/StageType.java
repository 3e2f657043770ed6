package dev.lathe.api.pipeline;

import dev.lathe.api.Plugin;
import java.util.Set;

/**
 * One kind of pipeline step. A pipeline config names it in a stage's {@code type} field; the
 * stage's other fields are this type's {@link #options()}.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #outputs()} names everything {@link #run} returns, so a config referring to
 *       {@code stage.output} is checked before anything runs.</li>
 *   <li>{@link #run} writes only inside {@link StageContext#stageDir()}, atomically per file, and
 *       reports long work through {@link StageContext#progress}.</li>
 *   <li>Bad user input found while running is an {@link dev.lathe.api.InvalidInputException};
 *       anything else that stops the stage is a {@link dev.lathe.api.RunFailedException}.</li>
 * </ul>
 */
public interface StageType extends Plugin {

    /** The names of the outputs {@link #run} produces, e.g. {@code last}, {@code best}, {@code epochs}. */
    Set<String> outputs();

    /** Runs one stage. Everything the stage needs comes from the context. */
    StageResult run(StageContext context) throws Exception;
}
