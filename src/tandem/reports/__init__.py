"""PDF reports: a quarterly team report and a programme report, generated in the background.

``services.request_report`` stores a queued ``Report`` and, once the transaction commits,
enqueues ``tasks.generate_report``; the task runs ``build.run_report``, which renders the
dashboards to HTML with print CSS and has WeasyPrint turn it into an A4 PDF kept in the row.
Imports run one way: services -> tasks -> build. ``selectors`` narrow the list and the download
to the people who may see the team or programme.
"""
