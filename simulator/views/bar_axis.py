"""The G_t bar chart's x axis: the steps' labels, then the sums' ("sum = dW", "tied: group sum"),
with blank factors between them wide enough that no two labels touch (issue 20, item 3).

A categorical axis centres each label under its bar and gives every bar the same pitch: in a
chart ~370 px wide, "sum = dW" (~52 px at 12 px) ran into the last step's "15" or "10" beside it.
Blank factors (distinct runs of spaces, which the axis draws as nothing) widen the gap before a
sum's label until half of each label fits, and after the last one so that it is not cut.
"""
import math

CHAR_EM = 0.6   # a label's width per character, in ems: above the ~0.54 Chromium measures for "sum = dW"
GAP_PX = 4      # the least room between two labels
BORDER_PX = 5   # Bokeh's min_border beside the frame, which a label may reach into


def font_px(size):
    """Pixels of a Bokeh font size such as "12px" or "13pt"."""
    number = float(size[:-2])
    return number * 4 / 3 if size.endswith("pt") else number


def spaced_factors(steps, sums, frame_w, px):
    """(factors, divider): ``steps`` then ``sums`` with blank factors before each sum and after
    the last, so that labels of ``px`` pixels do not touch in a frame ``frame_w`` wide; the
    divider's location (categorical units) is the middle of the gap before the first sum."""
    width = lambda text: len(text) * CHAR_EM * px
    need = [(width(a) + width(b)) / 2 + GAP_PX for a, b in zip([steps[-1], *sums[:-1]] if steps else sums, sums)]
    edge = width(sums[-1]) / 2 - BORDER_PX if sums else 0.0  # the last label's reach past its bar's centre
    blanks = [0] * (len(need) + 1)
    for _ in range(20):  # each round's pitch is narrower: blanks only grow, and settle within a few rounds
        pitch = frame_w / (len(steps) + len(sums) + sum(blanks) + 1)  # half a bar's padding at both ends
        grown = [max(0, math.ceil(n / pitch) - 1) for n in need] + [max(0, math.ceil(edge / pitch - 0.5))]
        if grown == blanks:
            break
        blanks = [max(a, b) for a, b in zip(blanks, grown)]
    factors, spaces = list(steps), 1
    for s, k in zip(sums, blanks):
        factors += [" " * (spaces + m) for m in range(k)] + [s]
        spaces += k
    factors += [" " * (spaces + m) for m in range(blanks[-1])]
    return factors, len(steps) + blanks[0] / 2
