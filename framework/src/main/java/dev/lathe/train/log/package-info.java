/**
 * Training logs in the formats practitioners already read: TensorBoard event files
 * ({@link dev.lathe.train.log.TensorBoardWriter}, written without TensorFlow: TFRecord framing and
 * hand-encoded {@code Event} protocol buffers) and a {@code loss.csv}
 * ({@link dev.lathe.train.log.LossCsv}); {@link dev.lathe.train.log.TrainingLog} writes both per
 * step and per epoch under kohya-ss's tag names, and truncates what a killed run logged past its
 * last saved state when the run resumes.
 */
@Export
@Version("0.1.0")
package dev.lathe.train.log;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
