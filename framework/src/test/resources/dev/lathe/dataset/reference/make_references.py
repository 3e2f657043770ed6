"""Regenerates the reference images the dataset tests compare against.

Run with Debian's python3-pil and python3-opencv (Pillow 9.4, OpenCV 4.6):
    /usr/bin/python3 make_references.py
Each output is what kohya-ss/sd-scripts' own code path produces for the same input:
  resize_image (library/utils.py): cv2 INTER_AREA when shrinking, PIL LANCZOS otherwise;
  AugHelper.color_aug (library/train_util.py): the hue and gamma branches with fixed parameters;
  load_image: Image.open(path).convert("RGB") for the WebP files.
"""
import numpy as np
import cv2
from PIL import Image

rng = np.random.default_rng(1234)

def save(name, arr):
    Image.fromarray(arr).save(name)

# A smooth gradient plus noise, so that resampling errors would show.
yy, xx = np.mgrid[0:29, 0:37]
base = np.stack([xx * 7 % 256, yy * 9 % 256, (xx * yy) % 256], axis=-1).astype(np.int32)
source = np.clip(base + rng.integers(-40, 40, size=base.shape), 0, 255).astype(np.uint8)
save("source_37x29.png", source)
even = rng.integers(0, 256, size=(36, 48, 3), dtype=np.uint8)
save("source_48x36.png", even)

def pil_lanczos(img, w, h):
    return np.array(Image.fromarray(img).resize((w, h), resample=Image.LANCZOS))

def cv_area(img, w, h):
    return cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)

for (w, h) in [(53, 41), (74, 58), (45, 20), (37, 64)]:
    save(f"lanczos_37x29_to_{w}x{h}.png", pil_lanczos(source, w, h))
for (w, h) in [(20, 15), (30, 29), (37, 11), (13, 7)]:
    save(f"area_37x29_to_{w}x{h}.png", cv_area(source, w, h))
for (w, h) in [(24, 18), (16, 12), (48, 18), (35, 27)]:
    save(f"area_48x36_to_{w}x{h}.png", cv_area(even, w, h))

# Color augmentation branches, exactly as kohya writes them (RGB data passed as BGR).
colors = rng.integers(0, 256, size=(48, 48, 3), dtype=np.uint8)
colors[0, :, :] = np.arange(48)[:, None] * 5  # grays
colors[1, :, 0] = 255; colors[1, :, 1] = np.arange(48) * 5; colors[1, :, 2] = 0  # saturated
save("colors_48x48.png", colors)
for shift in [5.25, -3.75, 7.9]:
    hue_shift = shift
    hsv = cv2.cvtColor(colors, cv2.COLOR_BGR2HSV)
    if hue_shift < 0:
        hue_shift = 180 + hue_shift
    hsv[:, :, 0] = (hsv[:, :, 0] + hue_shift) % 180
    save(f"hue_{shift}.png", cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR))
for gamma in [0.96, 1.04]:
    save(f"gamma_{gamma}.png", np.clip(colors ** gamma, 0, 255).astype(np.uint8))

# WebP: lossless must decode exactly; lossy as Pillow (libwebp) decodes it.
Image.fromarray(source).save("source_37x29_lossless.webp", lossless=True)
Image.fromarray(source).save("source_37x29_lossy.webp", quality=80)
save("source_37x29_lossy_decoded.png", np.array(Image.open("source_37x29_lossy.webp").convert("RGB")))
