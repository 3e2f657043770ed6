/**
 * 8-bit RGB images as Lathe writes them: {@link dev.lathe.image.RgbImage}, PNG files with text
 * chunks ({@link dev.lathe.image.PngFile}, deterministic bytes, atomic writes), labelled image
 * grids ({@link dev.lathe.image.ImageGrid}) drawn with a built-in bitmap font
 * ({@link dev.lathe.image.BitmapFont}) so that no system font (and no AWT) is needed.
 */
@Export
@Version("0.1.0")
package dev.lathe.image;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
