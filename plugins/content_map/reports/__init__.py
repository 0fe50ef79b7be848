"""The report formats of `check` and `export` (registered once, in `registry`), and the
baseline.

May import the core, `load` and `rules`; never `site`.
"""
