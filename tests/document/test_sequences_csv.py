"""The CSV format for sequences (docs/data.md): what it reads, the text it writes, and every bad
file refused with the line and column of the first thing wrong."""
import csv
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.document import sequences_csv as C
from simulator.state import caps

# Two cases of different lengths, one of them a test case; a step with nothing clamped or taught
# (b, 1); a unit named in both kinds (y: clamped at t=0 of case a, taught later); a label that needs quoting.
TEXT = ("case,t,in:x,in:y,target:y,target:z,split\n"
        "a,0,1,0.5,,,train\n"
        "a,1,0,,1,-2.5,train\n"
        '"b,2",0,1,,,,test\n'
        '"b,2",1,,,,,test\n'
        '"b,2",2,,,0,1e-05,test\n')


def test_reads_units_cases_and_cells():
    t = C.read_csv(TEXT)
    assert (t.units, t.inputs, t.targets) == (("x", "y", "z"), ("x", "y"), ("y", "z"))
    assert (t.labels, t.splits, t.lengths) == (("a", "b,2"), ("train", "test"), (1, 2))
    assert t.X.shape == (2, 3, 3)
    K = np.zeros((2, 3, 3))
    K[0, 0, :2] = K[0, 1, 0] = K[1, 0, 0] = 1
    M = np.zeros((2, 3, 3))
    M[0, 1, 1:] = M[1, 2, 1:] = 1
    assert np.array_equal(t.K, K) and np.array_equal(t.M, M)
    assert t.X[0, 0, 1] == 0.5 and t.X[0, 1, 0] == 0 and t.Y[0, 1, 2] == -2.5 and t.Y[1, 2, 2] == 1e-05


def test_writes_the_text_it_reads():
    """write_csv gives back the same text: numbers in their shortest exact form, empty cells where
    nothing is clamped or taught, the quoted label, every step 0..length of each case."""
    assert C.write_csv(C.read_csv(TEXT)) == TEXT


def test_reading_is_forgiving_only_of_layout():
    """A BOM, CRLF line ends, spaces around cells, blank lines, steps in any order, rows of a case
    apart, a missing split column (all train) and a missing step (nothing at that step) read as expected."""
    text = "\ufeffcase , t,in:x,target:y\r\n\r\na,1, 1 ,\r\nb,0,0,1\r\na,0,,0\r\na,3,,1\r\n"
    t = C.read_csv(text.encode("utf-8"))
    assert (t.labels, t.splits, t.lengths) == (("a", "b"), ("train", "train"), (3, 0))
    assert C.write_csv(t) == "case,t,in:x,target:y\na,0,,0\na,1,1,\na,2,,\na,3,,1\nb,0,0,1\n"


def test_number_text_is_exact():
    for x in (0.1, 1 / 3, -0.0, 1e300, 5e-324, 2.0, 123456789.0):
        assert float(C.number_text(x)) == x
    assert C.number_text(2.0) == "2" and C.number_text(0.25) == "0.25"


H = "case,t,in:x,target:y\n"
BAD = [  # (file, the whole message)
    (b"", "CSV file: the file is empty; expected a header line such as case,t,in:x,target:y"),
    (b"t,in:x,target:y\n", "CSV file: line 1: missing column 'case'; the header must name case, t, then "
                           "in:<unit> and target:<unit> columns (docs/data.md)"),
    (b"case,in:x,target:y\n0,1,1\n", "CSV file: line 1: missing column 't'; the header must name case, t, then "
                                     "in:<unit> and target:<unit> columns (docs/data.md)"),
    (H + "a,0,abc,\n", "CSV file: line 2, column 3 ('in:x'): expected a number or an empty cell; got 'abc'"),
    (H + "a,0,1,\na,x,1,\n", "CSV file: line 3, column 2 ('t'): expected an integer step 0..60; got 'x'"),
    (H + "a,1.5,1,\n", "CSV file: line 2, column 2 ('t'): expected an integer step 0..60; got '1.5'"),
    (H + "a,-1,1,\n", "CSV file: line 2, column 2 ('t'): expected an integer step 0..60; got '-1'"),
    (H + "a,0,1,\nb,0,1,1\na,0,0,\n", "CSV file: line 4, column 2 ('t'): step 0 of case 'a' is repeated "
                                      "(first on line 2)"),
    (b"case,t,out:x,target:y\n", "CSV file: line 1, column 3: unknown column 'out:x'; expected case, t, split, "
                                 "in:<unit> or target:<unit>"),
    (b"case,t,in:x,target:y,weight\n", "CSV file: line 1, column 5: unknown column 'weight'; expected case, t, "
                                       "split, in:<unit> or target:<unit>"),
    (b"case,t,in:x,target:2y\n", "CSV file: line 1, column 4: '2y' is not a unit name; expected an identifier "
                                 "(a letter or _, then letters, digits or _, at most 40 characters)"),
    (b"case,t,in:x,in:x,target:y\n", "CSV file: line 1, column 4: column 'in:x' is repeated (first in column 3)"),
    (b"case,t,in:x\na,0,1\n", "CSV file: line 1: no target:<unit> column; expected at least one (no targets at "
                              "all: there is nothing to learn)"),
    (H + "a,0,1,\na,1,0,\n", "CSV file: line 1, column 4 ('target:y'): no targets at all (every target: cell is "
                             "empty); expected at least one target value to learn"),
    (H, "CSV file: line 1: no cases; expected rows of steps after the header"),
    (H + "a,0,1\n", "CSV file: line 2: expected 4 fields, as the header on line 1 has; got 3"),
    (H + ",0,1,1\n", "CSV file: line 2, column 1 ('case'): expected a case label of 1 to 200 characters; "
                     "got an empty cell"),
    (H + "a,0,nan,1\n", "CSV file: line 2, column 3 ('in:x'): expected a number or an empty cell; got 'nan'"),
    (H + "a,0,1e999,1\n", "CSV file: line 2, column 3 ('in:x'): expected a finite number; got '1e999'"),
    (H + "a,0,1_0,1\n", "CSV file: line 2, column 3 ('in:x'): expected a number or an empty cell; got '1_0'"),
    (H + "a,\u0661,1,1\n", "CSV file: line 2, column 2 ('t'): expected an integer step 0..60; got '\u0661'"),
    (b"case,t,in:x,target:y,split\na,0,1,1,train\na,1,1,1,test\n",
     "CSV file: line 3, column 5 ('split'): case 'a' is 'train' on line 2; a case is wholly train or test"),
    (b"case,t,in:x,target:y,split\na,0,1,1,validate\n",
     "CSV file: line 2, column 5 ('split'): expected train, test or an empty cell (train); got 'validate'"),
    (H + '"a,0,1,1\n', "CSV file: line 2: unexpected end of data"),
    # binary files: a NUL byte, bytes that are not UTF-8
    (b"\x89PNG\r\n\x1a\n\x00\x00", "CSV file: line 1, column 1: byte 0x89 is not UTF-8 text; expected a text "
                                   "file of comma-separated values (this looks like a binary file)"),
    (b"case,t,in:x,target:y\na,0,1\x00,1\n", "CSV file: line 2, column 6: byte 0x00 is not UTF-8 text; expected "
                                             "a text file of comma-separated values (this looks like a binary file)"),
    ("case,t,in:x,target:y\na,0,\xe9,1\n".encode("latin-1"),
     "CSV file: line 2, column 5: byte 0xe9 is not UTF-8 text; expected a text file of comma-separated values "
     "(this looks like a binary file)"),
    # the caps (simulator/state/caps.py): steps, units, cases
    (H + "a,61,1,1\n", "CSV file: line 2, column 2 ('t'): step 61 is past the limit of 60 steps"),
    ("case,t," + ",".join(f"in:u{k}" for k in range(72)) + ",target:y\n",
     "CSV file: line 1, column 75: at most 72 units; this column names unit 73"),
    (H + "".join(f"c{k},0,1,1\n" for k in range(1001)),
     "CSV file: line 1002, column 1 ('case'): at most 1000 cases; 'c1000' would be case 1001"),
    (H + "a" * 201 + ",0,1,1\n", f"CSV file: line 2, column 1 ('case'): expected a case label of 1 to 200 "
                                 f"characters; got {caps.quote('a' * 201)}"),
]


@pytest.mark.parametrize("data, message", BAD, ids=[m.split(": ", 2)[-1][:40] for _, m in BAD])
def test_bad_files_are_refused_naming_line_and_column(data, message):
    with pytest.raises(ValueError) as info:
        C.read_csv(data)
    assert str(info.value) == message


def test_bytes_cap():
    """A file past caps.MAX_BYTES is refused by its size, before it is decoded or parsed."""
    data = (H + "a,0,1,1\n").encode() + b" " * caps.MAX_BYTES
    with pytest.raises(ValueError, match=rf"^CSV file is {len(data)} bytes \(5 MB\); the limit is 5000000 bytes$"):
        C.read_csv(data)


def test_rows_and_cells_caps():
    """Past the rows cap (every step of the most cases) the row is named; within it, more cells
    than caps.MAX_CELLS are refused at the header before any array is made."""
    rows = "".join(f"c{k},{t},1,1\n" for k in range(caps.MAX_CASES) for t in range(caps.MAX_STEPS + 1))
    with pytest.raises(ValueError, match=r"^CSV file: line 61002: at most 61000 rows of steps"):
        C.read_csv(H + rows + "c0,61,1,1\n")
    wide = "case,t," + ",".join(f"in:u{k}" for k in range(4)) + ",target:y\n"  # 5 units
    text = wide + "".join(f"c{k},60,,,,,1\n" for k in range(820))  # 820 * 61 * 5 = 250,100 cells
    with pytest.raises(ValueError) as info:
        C.read_csv(text)
    assert str(info.value) == ("CSV file: line 1: 820 cases of up to 61 steps over 5 units are 250100 cells; "
                               "the limit is 250000")


def test_read_csv_file(tmp_path):
    """From a path: messages start with the path; a missing or huge file is refused unread."""
    path = tmp_path / "d.csv"
    path.write_text(H + "a,0,1,x\n")
    with pytest.raises(ValueError, match=r"d\.csv: line 2, column 4 \('target:y'\): expected a number"):
        C.read_csv_file(path)
    with pytest.raises(ValueError, match=r"nope\.csv: no such file"):
        C.read_csv_file(tmp_path / "nope.csv")
    with open(path, "wb") as f:
        f.truncate(caps.MAX_BYTES + 1)
    with pytest.raises(ValueError, match=r"d\.csv is 5000001 bytes"):
        C.read_csv_file(path)


_cell = st.one_of(st.just(""), st.floats(allow_nan=False, allow_infinity=False, width=64).map(C.number_text))


@st.composite
def _files(draw):
    """CSV files as write_csv writes them: 1-4 units per kind, 1-5 cases of 0-6 steps, any numbers,
    labels that need quoting, some test cases, at least one target."""
    units = draw(st.lists(st.from_regex(C.NAME, fullmatch=True), min_size=2, max_size=5, unique=True))
    k = draw(st.integers(1, len(units) - 1))
    inputs, targets = units[:k], units[k:]
    labels = draw(st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
                                   min_size=1, max_size=8), min_size=1, max_size=5, unique=True))
    splits = draw(st.lists(st.sampled_from(C.SPLITS), min_size=len(labels), max_size=len(labels)))
    rows = []
    for label, split in zip(labels, splits):
        for t in range(draw(st.integers(0, 6)) + 1):
            rows.append([label, str(t)] + [draw(_cell) for _ in units] + (["test" if split == "test" else "train"]
                                                                         if "test" in splits else []))
    rows[-1][2 + len(inputs)] = "1"  # a target somewhere
    head = ["case", "t", *(f"in:{u}" for u in inputs), *(f"target:{u}" for u in targets)] + (
        ["split"] if "test" in splits else [])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([head, *rows])
    return out.getvalue()


@settings(max_examples=60, deadline=None)
@given(text=_files())
def test_any_written_file_reads_back_to_itself(text):
    """write_csv(read_csv(text)) == text for every file in the writer's own form."""
    assert C.write_csv(C.read_csv(text)) == text
