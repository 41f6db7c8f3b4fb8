"""Selection: what the user is looking at (time cursor, selected weight and unit, pass tick).

Kept apart from Session because it changes nothing in the model: the pictures write it (one
writer per param: the time slider/keys write ``time``, clicks on connections ``weight``,
clicks on units ``unit``, the pass buttons ``tick``, the detail tabs ``tab``, the theme
chooser and ?theme= ``theme``) and every view
reads it. A loaded document's "view" section sets it too (simulator/document/format.py).

The pass animation is one integer ``tick`` over 2T + 2 frames (T = number of steps):

    tick -1          everything shown (no animation running)
    tick 0..T        forward pass: columns 0..tick of the stack are built
    tick T+1..2T     backward pass: error derivatives peeled off from t = T down to 2T+1-tick
    tick 2T+1        the contributions G_1..G_T summed into dW
"""
import param

#: The detail tabs under the pictures, in order (app.py builds them; ``Selection.tab`` names the open one).
DETAIL_TABS = ("Gradients over time", "Weight matrices", "Inputs & targets", "Inspect & edit",
               "Error by step & case", "Lesson read-out", "By hand")
#: Their titles on the page, by what each holds (DETAIL_TABS keep the names saved documents use).
TAB_TITLES = ("Gradients over time", "Weight matrices", "Inputs & targets", "Unit arithmetic & edit",
              "Error by step & case", "Lesson read-out", "Gradient check & stack")
#: What lecture mode can hide (LectureMode.targets; app.py gives the components these names).
HIDEABLE = ("sidebar", "settings", "lesson-text", "lesson-select", "loss-curve", "detail-tabs")
#: The page's colour themes (simulator/views/theme.py draws them); the first is the default.
THEMES = ("light", "dark", "projector")


def pass_frame(tick, T):
    """(phase, last forward column shown, first backward column shown) for a tick.

    phase is "complete", "forward", "backward" or "summed". Columns t <= forward_upto show
    activities; columns t >= backward_from (t >= 1) show error derivatives and G_t.
    """
    if tick < 0 or tick > 2 * T + 1:
        return "complete", T, 1
    if tick <= T:
        return "forward", tick, T + 1
    if tick <= 2 * T:
        return "backward", T, 2 * T + 1 - tick
    return "summed", T, 1


class Selection(param.Parameterized):
    """The view state shared by all pictures of one session."""

    time = param.Integer(default=0, bounds=(0, None), label="Time step t",
                         doc="The time step shown in the recurrent picture (0 = initial state).")
    case = param.Integer(default=0, bounds=(0, None), label="Training case",
                         doc="Which training case of the batch the pictures show.")
    weight = param.Parameter(default=None, doc="Selected connection as (i, j): the weight from unit j to unit i.")
    unit = param.Parameter(default=None, doc="Selected unit as (t, i): unit i at time t.")
    tick = param.Integer(default=-1, bounds=(-1, None), doc="Pass animation frame; -1 shows everything.")
    tab = param.Selector(default=DETAIL_TABS[0], objects=list(DETAIL_TABS), doc="The open detail tab.")
    typed = param.Parameter(default=None, doc="A typed sequence (state/probe.py TypedRun) the pictures show "
                            "instead of the training cases, or None (the cases).")
    theme = param.Selector(default=THEMES[0], objects=list(THEMES), label="Theme",
                           doc="Colours of the whole page: light, dark or projector (high contrast, large type).")
