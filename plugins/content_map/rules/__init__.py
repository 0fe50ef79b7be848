"""The rule catalogue and the rules that look at all the pieces at once.

May import the core and `load`; never `reports` or `site`.
"""
