"""Where CPython's fields are, for the one version the target runs.

Every decoder asks a :class:`Layout` for offsets by a canonical name
("PyObject.ob_type") and for version behaviour through its
:class:`~.schemes.Scheme`. Nothing else in the core knows which CPython it
is reading; choosing the layout happens once, in :func:`choose_layout`.
"""

from .offsets import Layout
from .schemes import Scheme, scheme_for
from .sources import build_layout, choose_layout, table_layout

__all__ = ["Layout", "Scheme", "build_layout", "choose_layout", "scheme_for", "table_layout"]
