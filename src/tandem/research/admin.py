"""Studies and research consent are kept through the research pages (services with audit); the
administration site does not edit them."""
