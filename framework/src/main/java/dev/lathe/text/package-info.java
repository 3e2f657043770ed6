/**
 * Prompt text to token ids and weights, shared by SD 1.5 and SDXL: the CLIP byte-level BPE
 * tokenizer ({@link dev.lathe.text.ClipTokenizer}), AUTOMATIC1111's prompt syntax (emphasis,
 * {@code BREAK}, {@code <lora:…>} tags: {@link dev.lathe.text.PromptParser}), long prompts as
 * several 77-token windows ({@link dev.lathe.text.PromptChunker}), emphasis applied to the text
 * encoder's output ({@link dev.lathe.text.EmphasisWeights}) and finding or downloading the
 * vocabulary files ({@link dev.lathe.text.TokenizerFiles}).
 */
@Export
@Version("0.1.0")
package dev.lathe.text;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
