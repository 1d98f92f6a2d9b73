"""Reading what survey teams upload (DESIGN.md §5): readers per format, encoding and CRS
detection, and the `check` report."""
