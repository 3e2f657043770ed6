/**
 * Runs a checked pipeline config: {@link dev.lathe.pipeline.PipelineRunner} runs its stages in
 * order inside one output folder, recording progress in {@code run.json};
 * {@link dev.lathe.pipeline.ConsoleProgress} draws progress bars.
 */
@Export
@Version("0.1.0")
package dev.lathe.pipeline;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
