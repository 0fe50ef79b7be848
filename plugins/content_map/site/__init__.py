"""The published map: its layout, the rendering of its pages and badges, and the
Markdown pages `generate` writes for engines that run no plugins.

From the analysis to the HTML:

    index       the look-ups every page shares, made once per build
    attention   what needs attention on a day: reviews stale and due, work on gaps
    flow        a persona's journey as a diagram, laid out
    composer    each page's view, made from the index
    views       the views: what each page's template shows, ready-made
    links       where pages live on the site, and one page's links to them
    pagedata    a page's pieces as data for the script, and how much a page lists
    figures     results as the map writes them, and the matrix's colours
    urls        site URLs, relative URLs and the outside addresses let through
    renderer    the Jinja environment and `Renderer`: a view through its template
    output      what a rendered page hands on: headings, search text, badges
    layout      where the map's pages and files live in the docs tree
    publication all a site shows of one analysis, made in one go, and what an
                adapter does with it

May import everything but the adapters (`plugin`, `config`, `cli`).
"""
