"""Evidence export of a case: a PDF report and a machine-readable bundle, zipped, with a hash manifest."""
