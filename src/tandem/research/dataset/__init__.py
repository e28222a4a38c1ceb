"""The de-identified data set of a study: its specification, builder and file writers."""
