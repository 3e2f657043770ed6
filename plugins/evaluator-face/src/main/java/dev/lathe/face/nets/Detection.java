package dev.lathe.face.nets;

import dev.lathe.face.image.Box;

/**
 * A face a detector found.
 *
 * @param score       the detector's confidence, 0…1
 * @param relativeBox the box in fractions of the image width and height
 * @param box         the box in image pixels ({@code relativeBox} times the image size)
 */
public record Detection(double score, Box relativeBox, Box box) {
}
