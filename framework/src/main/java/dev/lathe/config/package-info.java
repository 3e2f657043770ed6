/**
 * Pipeline configs: {@link dev.lathe.config.ConfigReader} reads a hand-written JSON pipeline,
 * checks every field against the specs of the plugins it names before anything runs, and
 * reports all problems at once with their line and column;
 * {@link dev.lathe.config.ResolvedConfig} writes the resolved form a run keeps beside its outputs.
 */
@Export
@Version("0.1.0")
package dev.lathe.config;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
