"""Reading what users wrote: pages' front-matter, personas, journeys, metrics, mkdocs.yml.

May import the core (`model`, `settings`, `reader`, `suggestion`, `terminal`, `cache`);
never `rules`, `reports` or `site`.
"""
