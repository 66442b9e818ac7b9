"""The ward app: PySide6 windows that are thin clients of the core.

Every action here is one call into ``downtime.session``; nothing in this package
decides anything about patients, IDs or the journal (DESIGN.md, "How the code
should look"). The core never imports this package.
"""
