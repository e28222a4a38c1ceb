"""Analysis runs of a study: queued from the pages, the command line or the quarterly
schedule, run in the background on the study's de-identified data set, and reported.

``services`` holds every write (queue, void, the quarterly schedule), ``execute`` the run
itself (called by the task and the command line), ``selectors`` the reads, ``report`` the
report's context for the HTML page and the PDF.
"""
