"""Pages of the qualitative app, by what they show: projects, cases, documents, codebook, memos."""
