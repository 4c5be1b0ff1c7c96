"""Editors' screens: stories with their bylines and tags, sections, authors.

The editorial workflow (who may see, change, publish a story) is decided in
``articles.workflow`` and enforced on every view, inline and action; what a
save sets off is ``articles.services``. Importing the modules registers them.
"""

from articles.admin import authors, sections, stories, tags  # noqa: F401
