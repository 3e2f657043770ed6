/**
 * Pipeline stages: a {@link dev.lathe.api.pipeline.StageType} is one kind of step (caption, train,
 * generate, select, evaluate, merge, compare); a pipeline config chains named instances of them.
 */
@Export
@Version("0.1.0")
package dev.lathe.api.pipeline;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
