"""Stage 7, brief: the document for a workshop or a paper.

:mod:`.build` assembles the brief (:func:`~forecast.brief.build.build_brief`)
and writes it atomically; :mod:`.content` is the content model, filled from
the outlook table and the figures; :mod:`.doc` the shared document model;
one writer per format: :mod:`.html`, :mod:`.docx`, :mod:`.pdf`;
:mod:`.text` and :mod:`.assumptions` its strings; :mod:`.units` which units
and rows a section shows.

May import: every stage below, including :mod:`forecast.figures`.
"""
