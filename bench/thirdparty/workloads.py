"""Workloads on Debian's own third-party packages, for bench/truth.py and bench/verdicts.mjs.

Run by Debian's interpreter (/usr/bin/python3 with python3-numpy, python3-pil, python3-lxml), the
code people actually parallelize: BLAS, image filters, XML parsing (C code that may release the
GIL) beside Python loops over the same objects (which hold it). Each kind comes in two sizes:

- small: a batch of ~60-120 ms serially, where pool start-up (tens of ms per worker) can decide
  the answer;
- large: a batch of ~0.8-1.5 s made of tasks of tens of ms, where it should not.

Sizes were set on the 2-vCPU runner, whose two CPUs differ in speed by up to x1.8. Inputs are built
at import time (untimed) or from small task arguments, so no big argument is pickled.
"""
import io

import numpy
from lxml import etree
from PIL import Image, ImageFilter

# --- BLAS matrix product: releases the GIL (trials set OPENBLAS_NUM_THREADS=1) ------------------

_RANDOM = numpy.random.default_rng(7)
_MATRICES = {size: (_RANDOM.standard_normal((size, size)), _RANDOM.standard_normal((size, size))) for size in (256, 448)}


def matmul_small(n):
    a, b = _MATRICES[256]
    return float((a @ b)[n % 256, 0])


def matmul_large(n):
    a, b = _MATRICES[448]
    return float((a @ b)[n % 448, 0])


# --- Pillow filters: ImagingSectionEnter releases the GIL --------------------------------------


def _gradient(width, height, seed):
    """An RGB image with structure (not a flat colour), made in memory."""
    x = numpy.arange(width, dtype=numpy.uint32)
    y = numpy.arange(height, dtype=numpy.uint32)[:, None]
    pixels = numpy.stack([(x * 3 + y + seed) % 256, (x ^ y) % 256, (x * y // 7 + seed) % 256], axis=-1)
    return Image.fromarray(pixels.astype(numpy.uint8), "RGB")


_PHOTOS = {"small": _gradient(600, 400, 1), "large": _gradient(1280, 960, 2)}


def blur_small(n):
    photo = _PHOTOS["small"]
    blurred = photo.filter(ImageFilter.GaussianBlur(radius=2 + n % 3))
    return blurred.resize((photo.width // 2, photo.height // 2), Image.LANCZOS).getpixel((5, 5))


def blur_large(n):
    photo = _PHOTOS["large"]
    blurred = photo.filter(ImageFilter.GaussianBlur(radius=4 + n % 3))
    return blurred.resize((photo.width * 3 // 4, photo.height * 3 // 4), Image.LANCZOS).getpixel((5, 5))


# --- per-pixel Python over a PIL image: every call goes through the interpreter (holds the GIL) --


def _invert_region(photo, rows):
    image = photo.copy()
    total = 0
    for y in range(rows):
        for x in range(image.width):
            r, g, b = image.getpixel((x, y))
            image.putpixel((x, y), (255 - r, 255 - g, 255 - b))
            total += r
    return total


_TILES = {"small": _gradient(160, 60, 3), "large": _gradient(320, 160, 4)}


def pixels_small(n):
    return _invert_region(_TILES["small"], 60) + n


def pixels_large(n):
    return _invert_region(_TILES["large"], 160) + n


# --- a Python loop over numpy scalars: each operation is a Python call (holds the GIL) -----------

_SERIES = numpy.linspace(0.0, 1.0, 200000)


def scalar_loop(count, n):
    total = numpy.float64(n)
    for value in _SERIES[:count]:
        total += value * value - value / 3.0
    return float(total)


def scalars_small(n):
    return scalar_loop(40000, n)


def scalars_large(n):
    return scalar_loop(120000, n)


# --- lxml parsing: libxml2 parses with the GIL released -----------------------------------------


def _document(records):
    out = io.StringIO()
    out.write("<catalog>")
    for i in range(records):
        out.write('<item id="%d" kind="k%d"><name>item %d</name><price currency="EUR">%d.%02d</price>' % (i, i % 7, i, i % 500, i % 100))
        out.write("<tags><tag>a</tag><tag>b%d</tag></tags><note>%s</note></item>" % (i % 13, "lorem ipsum " * (i % 5)))
    out.write("</catalog>")
    return out.getvalue().encode()


_DOCUMENTS = {"small": _document(4000), "large": _document(10000)}


def parse_small(n):
    return len(etree.fromstring(_DOCUMENTS["small"])) + n


def parse_large(n):
    return len(etree.fromstring(_DOCUMENTS["large"])) + n
