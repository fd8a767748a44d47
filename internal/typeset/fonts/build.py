"""Builds the fonts embedded in the typeset package from Debian's Noto files.

Run by `go generate ./internal/typeset` with /usr/bin/python3 (fontTools from
python3-fonttools). Each font is cut down to the characters of its scripts,
hinting is dropped (PDF viewers do not need it), layout features the shaper
uses are kept, and the result is zlib-compressed. The CJK font is CFF in the
Debian package; it is converted to TrueType outlines here so one glyf
subsetter serves every font at run time (docs/documents.md, "Rendering
choices").
"""

import io
import os
import sys
import zlib

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

NOTO = "/usr/share/fonts/truetype/noto/"
NOTO_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

# Characters every font keeps so punctuation and spaces shape with the script
# around them: ASCII, no-break space, general punctuation, the dotted circle
# a shaper shows for a lone combining mark, and the joiners.
COMMON = [(0x20, 0x7E), (0xA0, 0xBF), (0x2000, 0x206F), (0x25CC, 0x25CC)]

FONTS = [
    # (output, source, unicode ranges)
    ("NotoSans-Regular", NOTO + "NotoSans-Regular.ttf",
     [(0xA0, 0x24F), (0x250, 0x2FF), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x52F),
      (0x1C80, 0x1C8F), (0x1E00, 0x1EFF), (0x1F00, 0x1FFF), (0x20A0, 0x20CF),
      (0x2100, 0x214F), (0x2C60, 0x2C7F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F),
      (0xA720, 0xA7FF), (0xAB30, 0xAB6F), (0xFB00, 0xFB06)]),
    ("NotoSans-Bold", NOTO + "NotoSans-Bold.ttf",
     [(0xA0, 0x24F), (0x250, 0x2FF), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x52F),
      (0x1C80, 0x1C8F), (0x1E00, 0x1EFF), (0x1F00, 0x1FFF), (0x20A0, 0x20CF),
      (0x2100, 0x214F), (0x2C60, 0x2C7F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F),
      (0xA720, 0xA7FF), (0xAB30, 0xAB6F), (0xFB00, 0xFB06)]),
    ("NotoNaskhArabic-Regular", NOTO + "NotoNaskhArabic-Regular.ttf",
     [(0x600, 0x6FF), (0x750, 0x77F), (0x8A0, 0x8FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF)]),
    ("NotoSansHebrew-Regular", NOTO + "NotoSansHebrew-Regular.ttf",
     [(0x590, 0x5FF), (0xFB1D, 0xFB4F)]),
    ("NotoSansDevanagari-Regular", NOTO + "NotoSansDevanagari-Regular.ttf",
     [(0x900, 0x97F), (0xA8E0, 0xA8FF), (0x1CD0, 0x1CFF)]),
    ("NotoSansThai-Regular", NOTO + "NotoSansThai-Regular.ttf", [(0xE00, 0xE7F)]),
    ("NotoSansKhmer-Regular", NOTO + "NotoSansKhmer-Regular.ttf",
     [(0x1780, 0x17FF), (0x19E0, 0x19FF)]),
]


def legacy_cjk():
    """The characters of the national double-byte standards: GB 2312, Big5,
    JIS X 0213 (with every kanji allowed in Japanese names) and KS X 1001.
    Names registered in China, Taiwan, Japan and Korea come from these sets."""
    out = set()
    sets = [
        ("gb2312", range(0xA1, 0xF8), range(0xA1, 0xFF)),
        ("big5", range(0xA1, 0xFA), list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))),
        ("euc_jis_2004", range(0xA1, 0xFF), range(0xA1, 0xFF)),
        ("euc_kr", range(0xA1, 0xFF), range(0xA1, 0xFF)),
    ]
    for codec, leads, trails in sets:
        for a in leads:
            for b in trails:
                try:
                    text = bytes([a, b]).decode(codec)
                except UnicodeDecodeError:
                    continue
                if len(text) == 1:
                    out.add(ord(text))
    return out


def expand(ranges):
    out = set()
    for lo, hi in ranges + COMMON:
        out.update(range(lo, hi + 1))
    return out


def options():
    opts = subset.Options()
    opts.hinting = False
    opts.layout_features = ["*"]
    opts.name_IDs = [1, 2, 4, 6]
    opts.name_languages = [0x409]
    opts.notdef_outline = True
    opts.glyph_names = False
    opts.drop_tables += ["DSIG", "vhea", "vmtx", "VORG", "BASE", "JSTF", "meta"]
    return opts


def cut(font, unicodes, opts):
    sub = subset.Subsetter(options=opts)
    sub.populate(unicodes=sorted(unicodes))
    sub.subset(font)


def cff_to_glyf(font):
    """Replaces CFF outlines by quadratic TrueType ones (at most one font unit
    off), so that the run-time subsetter deals with glyf only."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    del font["CFF "]
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    font["head"].glyphDataFormat = 0
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for field in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                  "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions"):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    for field in ("maxPoints", "maxContours", "maxCompositePoints",
                  "maxCompositeContours", "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, field, 0)
    post = font["post"]
    post.formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"


def write(font, name):
    buf = io.BytesIO()
    font.save(buf)
    raw = buf.getvalue()
    packed = zlib.compress(raw, 9)
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), name + ".ttf.z")
    with open(out, "wb") as f:
        f.write(packed)
    print(f"{name}: {len(raw)} bytes, {len(packed)} compressed", file=sys.stderr)


def main():
    opts = options()
    for name, path, ranges in FONTS:
        font = TTFont(path)
        cut(font, expand(ranges), opts)
        write(font, name)

    cjk = TTCollection(NOTO_CJK).fonts[0]  # Noto Sans CJK JP
    unicodes = legacy_cjk()
    unicodes.update(range(0xAC00, 0xD7A4))  # every Hangul syllable
    unicodes.update(range(0x3000, 0x30FF))  # CJK punctuation, kana
    unicodes.update(range(0x31F0, 0x31FF))
    unicodes.update(range(0xFF00, 0xFFEF))  # full- and half-width forms
    opts = options()
    # Japanese forms serve every Han character: the locl variants for
    # Chinese and Korean would add 15,000 glyphs (3 MB compressed).
    opts.layout_features = ["ccmp"]
    opts.desubroutinize = True
    cut(cjk, expand([]) | unicodes, opts)
    cff_to_glyf(cjk)
    write(cjk, "NotoSansCJK-Regular")


if __name__ == "__main__":
    main()
