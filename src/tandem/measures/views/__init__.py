"""Measures pages by sub-domain: administrations and links, the self-report page, programmes."""
