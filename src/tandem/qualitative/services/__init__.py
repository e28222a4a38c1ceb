"""Every write to a qualitative project: permission, validation and audit in one transaction.

Split by what is written: ``projects`` (projects and members), ``cases`` (attributes and
cases), ``documents``, ``codebook`` (codes, merges, versions) and ``memos``.
"""
