"""The records office's review window: the doubtful matches and the import conflicts (``sync/review.py``).

Opened by ``downtime --home RO reconcile review``: the staff login, the office passphrase, then the window.
Each button and key is one call into ``sync.review.Review``; nothing here decides anything.
"""
