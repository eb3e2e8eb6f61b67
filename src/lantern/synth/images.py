"""Small abstract images (shapes on gradients, never people) and their near-duplicate perturbations.

A "photo" in the world is a base id; what an ad shows is a variant of it: the original, a crop, a rescale,
a lossy re-encode or an overlay, the edits operators make so reused photos evade exact-hash matching.
Each (base, variant) pair is one file, written the first time an ad uses it, so reuse in the world is reuse
on disk and the number of files stays modest. Rendering is seeded by the pair alone, so it never consumes
the world's random stream: records are identical with and without ``--images``.
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageOps

VARIANTS = ("original", "crop", "rescale", "reencode", "overlay")
"""Variant index -> perturbation. Index 0 is the unedited photo."""


def image_name(base: int, variant: int, stock: bool = False) -> str:
    """The file name of a photo variant, relative to the images folder."""
    extension = "jpg" if VARIANTS[variant] == "reencode" else "png"
    prefix = "stock" if stock else "b"
    return f"{prefix}{base:06d}-v{variant}.{extension}"


def render_base(seed: int, base: int, stock: bool = False) -> Image.Image:
    """Draw the abstract base picture for ``base``: a two-colour gradient with a few shapes."""
    rng = random.Random(f"{seed}:{'stock' if stock else 'photo'}:{base}")
    size = rng.randrange(112, 193, 8)
    low = tuple(rng.randrange(0, 160) for _ in range(3))
    high = tuple(rng.randrange(96, 256) for _ in range(3))
    gradient = Image.linear_gradient("L").resize((size, size))
    if rng.random() < 0.5:
        gradient = gradient.transpose(Image.Transpose.ROTATE_90)
    image = ImageOps.colorize(gradient, low, high)
    draw = ImageDraw.Draw(image)
    for _ in range(rng.randrange(3, 7)):
        x0, y0 = rng.randrange(size), rng.randrange(size)
        x1, y1 = x0 + rng.randrange(12, size // 2), y0 + rng.randrange(12, size // 2)
        colour = tuple(rng.randrange(256) for _ in range(3))
        shape = rng.randrange(3)
        if shape == 0:
            draw.ellipse((x0, y0, x1, y1), fill=colour)
        elif shape == 1:
            draw.rectangle((x0, y0, x1, y1), fill=colour)
        else:
            draw.polygon([(x0, y1), ((x0 + x1) // 2, y0), (x1, y1)], fill=colour)
    return image


def perturb(image: Image.Image, variant: int, rng: random.Random) -> Image.Image:
    """Apply one near-duplicate edit; the result stays close under a perceptual hash."""
    width, height = image.size
    kind = VARIANTS[variant]
    if kind == "crop":
        dx, dy = int(width * rng.uniform(0.04, 0.12)), int(height * rng.uniform(0.04, 0.12))
        return image.crop((dx, dy, width - dx, height - dy))
    if kind == "rescale":
        factor = rng.choice((0.6, 0.75, 1.25))
        return image.resize((max(16, int(width * factor)), max(16, int(height * factor))))
    if kind == "overlay":
        edited = image.copy()
        draw = ImageDraw.Draw(edited, "RGBA")
        bar = int(height * rng.uniform(0.08, 0.15))
        draw.rectangle((0, height - bar, width, height), fill=(255, 255, 255, 140))
        r = max(4, width // 12)
        draw.ellipse((width - 3 * r, r, width - r, 3 * r), fill=(255, 215, 0, 170))
        return edited
    return image


class ImageWriter:
    """Writes photo variants into ``folder`` on first use and returns paths relative to the JSONL file."""

    def __init__(self, folder: Path, seed: int, enabled: bool) -> None:
        self.folder = folder
        self.seed = seed
        self.enabled = enabled
        self.files_written = 0
        if enabled:
            folder.mkdir(parents=True, exist_ok=True)

    def path(self, base: int, variant: int, stock: bool = False) -> str:
        """The relative path of a variant, writing the file if this is its first use."""
        name = image_name(base, variant, stock)
        relative = f"{self.folder.name}/{name}"
        if not self.enabled:
            return relative
        target = self.folder / name
        if target.exists():
            return relative
        image = render_base(self.seed, base, stock)
        rng = random.Random(f"{self.seed}:variant:{stock}:{base}:{variant}")
        image = perturb(image, variant, rng)
        if VARIANTS[variant] == "reencode":
            image.save(target, "JPEG", quality=rng.randrange(35, 61))
        else:
            image.save(target, "PNG", optimize=False)
        self.files_written += 1
        return relative
