"""Training records are kept through the training pages (services with audit); the
administration site does not edit them."""
