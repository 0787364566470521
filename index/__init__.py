"""Everything from a document to a searchable passage and back."""
