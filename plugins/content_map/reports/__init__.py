"""The report formats of `check` and `export`, and the baseline.

May import the core, `load` and `rules`; never `site`.
"""
