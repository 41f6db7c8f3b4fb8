"""The state layer: Session (one student's state and its only writer), Selection (what the
student looks at) and the pure edit functions. param + numpy; no panel, no bokeh.
"""
